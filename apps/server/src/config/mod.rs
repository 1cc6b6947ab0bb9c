//! Typed configuration: command-line flags override environment variables
//! (`RTC_*`), which override the defaults. Secrets never print.

use std::path::PathBuf;

use clap::Args;

/// A secret string: `Debug` and `Display` never show it.
#[derive(Clone, Default)]
pub struct Secret(String);

impl Secret {
    /// The secret value; call only where it is used.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Whether a presented credential equals the expected one, in constant
/// time: the SHA-256 digests have equal lengths whatever was sent, and
/// `ct_eq` takes the same time wherever they differ, so timing tells an
/// attacker nothing. The admin API and the metrics token use it.
pub fn credentials_match(given: &[u8], expected: &[u8]) -> bool {
    use sha2::{Digest, Sha256};
    use subtle::ConstantTimeEq;
    Sha256::digest(given)
        .ct_eq(&Sha256::digest(expected))
        .into()
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Secret(s.to_owned()))
    }
}

/// A URL that may carry credentials (`redis://:password@host`): `Debug` and
/// `Display` show it through [`redact::redact_url`], so the password and
/// secret-looking query values never print.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretUrl(String);

impl SecretUrl {
    /// The full URL, credentials included; call only where it is used.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&redact::redact_url(&self.0), f)
    }
}

impl std::fmt::Display for SecretUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&redact::redact_url(&self.0))
    }
}

impl std::str::FromStr for SecretUrl {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(SecretUrl(s.to_owned()))
    }
}

impl From<String> for SecretUrl {
    fn from(s: String) -> Self {
        SecretUrl(s)
    }
}

impl From<&str> for SecretUrl {
    fn from(s: &str) -> Self {
        SecretUrl(s.to_owned())
    }
}

/// The development JWT secret used when none is configured. It is public
/// (it is in this source), so a server using it accepts tokens anyone can
/// forge: it is only used on a loopback address or with `--insecure-dev`.
pub const DEV_JWT_SECRET: &str = "dev-only-insecure-secret-change-me";

mod groups;

pub use groups::*;

/// Server settings, in groups (one flattened struct per concern).
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// A TOML file of settings (keys as in this list, e.g.
    /// `room_capacity = 20`); environment variables and flags override it.
    /// Unknown keys are an error.
    #[arg(long, env = "RTC_CONFIG")]
    pub config: Option<PathBuf>,
    /// The HTTP listener: address, workers, bodies, browser origins.
    #[command(flatten)]
    pub http: HttpSettings,
    /// Token verification and development tokens.
    #[command(flatten)]
    pub auth: AuthSettings,
    /// WebSocket sessions: frame size, heartbeat, queues, connection limits.
    #[command(flatten)]
    pub ws: WsSettings,
    /// STUN and TURN servers handed to clients.
    #[command(flatten)]
    pub ice: IceSettings,
    /// The media plane (SFU).
    #[command(flatten)]
    pub media: MediaSettings,
    /// Rooms: capacity, reconnection, replay, rate limits, history caps.
    #[command(flatten)]
    pub rooms: RoomsSettings,
    /// Scaling out over Redis.
    #[command(flatten)]
    pub redis: RedisSettings,
    /// Durable history in MongoDB.
    #[command(flatten)]
    pub mongo: MongoSettings,
    /// Where files and recordings go, and download links.
    #[command(flatten)]
    pub store: StorageSettings,
    /// File transfers: sizes, limits, quotas, expiry.
    #[command(flatten)]
    pub transfers: TransferSettings,
    /// Recording: limits, quotas and the ffmpeg programs.
    #[command(flatten)]
    pub recording: RecordingSettings,
    /// The admin API's credentials.
    #[command(flatten)]
    pub admin: AdminSettings,
    /// Webhooks: where, how signed, how retried.
    #[command(flatten)]
    pub webhooks: WebhookSettings,
    /// Logs, metrics and the stats endpoints.
    #[command(flatten)]
    pub ops: OpsSettings,
}

impl Settings {
    /// Whether `POST /webrtc/dev/token` is served (see `dev_tokens`).
    pub fn dev_tokens_enabled(&self) -> bool {
        let hs256 = self.auth.jwt_algorithm == auth::Algorithm::Hs256;
        hs256
            && self
                .auth
                .dev_tokens
                .unwrap_or(self.auth.jwt_secret.is_none())
    }

    /// The HS256 secret `mint-token` signs with: the configured one, or the
    /// public development secret only when `insecure_dev` is set (with a
    /// warning on stderr).
    pub fn minting_secret(&self) -> anyhow::Result<String> {
        if let Some(s) = &self.auth.jwt_secret {
            return Ok(s.expose().to_owned());
        }
        if !self.auth.insecure_dev {
            anyhow::bail!(
                "no RTC_JWT_SECRET: set it to the server's secret, or pass --insecure-dev to sign \
                 with the public development secret (accepted only by a server that runs without \
                 RTC_JWT_SECRET)"
            );
        }
        eprintln!(
            "warning: signing with the PUBLIC development secret (no RTC_JWT_SECRET); anyone \
             can forge such tokens"
        );
        Ok(DEV_JWT_SECRET.to_owned())
    }

    /// Whether tokens are verified with the public development secret
    /// (HS256 and no `RTC_JWT_SECRET`).
    pub fn uses_dev_secret(&self) -> bool {
        self.auth.jwt_algorithm == auth::Algorithm::Hs256 && self.auth.jwt_secret.is_none()
    }

    /// Refuses the public development secret on a non-loopback address
    /// unless `insecure_dev` is set; where it is allowed, prints a loud
    /// warning to stderr and the log.
    pub fn check_dev_secret(&self, addr: std::net::SocketAddr) -> anyhow::Result<()> {
        if !self.uses_dev_secret() {
            return Ok(());
        }
        if !addr.ip().to_canonical().is_loopback() && !self.auth.insecure_dev {
            anyhow::bail!(
                "refusing to listen on {addr} without RTC_JWT_SECRET: the built-in development \
                 secret is public, so anyone could forge tokens. Set RTC_JWT_SECRET (at least \
                 16 random bytes, e.g. `openssl rand -base64 32`), or bind a loopback address \
                 (127.0.0.1), or pass --insecure-dev (RTC_INSECURE_DEV=true) for a throwaway \
                 development server"
            );
        }
        let dev_tokens = if self.dev_tokens_enabled() {
            "!!  POST /webrtc/dev/token hands a token to anyone who asks.\n"
        } else {
            ""
        };
        let banner = format!(
            "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
             !!  INSECURE DEVELOPMENT MODE: RTC_JWT_SECRET is not set.\n\
             !!  Tokens are verified with a PUBLIC development secret: anyone can\n\
             !!  forge a token for any user, room and role, and anyone can mint\n\
             !!  development tokens (`rtc-server mint-token --insecure-dev`).\n\
             {dev_tokens}\
             !!  Listening on {addr}. Never expose this server; set RTC_JWT_SECRET.\n\
             !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
        );
        eprintln!("{banner}");
        tracing::warn!(%addr, "INSECURE DEVELOPMENT MODE: no RTC_JWT_SECRET, anyone can forge tokens");
        Ok(())
    }

    /// Defaults as if no flag or variable were given, bound to `bind`.
    pub fn for_tests(bind: &str) -> Self {
        #[derive(clap::Parser)]
        struct P {
            #[command(flatten)]
            s: Settings,
        }
        let mut s = <P as clap::Parser>::parse_from(["test"]).s;
        s.http.bind = bind.to_owned();
        // The test environment exports REDIS_URL for the tests that want
        // it; everything else runs on the embedded defaults.
        s.redis.redis_url = None;
        s.mongo.mongodb_uri = None;
        s.store.storage = StorageKind::Memory;
        s
    }
}

/// Reads `--config <file>` (or `RTC_CONFIG`): a TOML file whose keys are
/// the settings' names (`room_capacity = 20`, `stun_urls = ["stun:…"]`;
/// `-` and `_` are interchangeable). Its values become the defaults of
/// `command`, so the order is file < environment < flags. A key that names
/// no setting, or a table value, is an error; values are checked by the same
/// parsers as flags when the command is parsed. Values of secret settings
/// (those whose environment values are hidden) are hidden from `--help`.
pub fn apply_config_file(
    mut command: clap::Command,
    args: &[std::ffi::OsString],
) -> anyhow::Result<clap::Command> {
    let path = config_path(args).or_else(|| std::env::var_os("RTC_CONFIG").map(PathBuf::from));
    let Some(path) = path else {
        return Ok(command);
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| anyhow::anyhow!("reading config file {}: {e}", path.display()))?;
    let table: toml::Table = text
        .parse()
        .map_err(|e| anyhow::anyhow!("config file {}: {e}", path.display()))?;
    // Each setting by its name and its aliases (`s3_prefix`, seed 004's
    // name of `storage_prefix`).
    let known: Vec<(String, String)> = command
        .get_arguments()
        .filter(|a| a.get_long().is_some() && a.get_id() != "config")
        .flat_map(|a| {
            let id = a.get_id().to_string();
            let aliases = a.get_all_aliases().unwrap_or_default();
            std::iter::once(id.clone())
                .chain(aliases.into_iter().map(|al| al.replace('-', "_")))
                .map(move |name| (name, id.clone()))
                .collect::<Vec<_>>()
        })
        .collect();
    for (key, value) in table {
        let name = key.replace('-', "_");
        let Some(id) = known
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, id)| id.clone())
        else {
            anyhow::bail!(
                "config file {}: unknown key `{key}`; known keys: {}",
                path.display(),
                known
                    .iter()
                    .map(|(n, _)| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        };
        let text = match value {
            toml::Value::Array(items) => items
                .iter()
                .map(scalar)
                .collect::<Option<Vec<_>>>()
                .map(|v| v.join(",")),
            other => scalar(&other),
        }
        .ok_or_else(|| {
            anyhow::anyhow!(
                "config file {}: `{key}` must be a value or a list of values",
                path.display()
            )
        })?;
        command = with_default(command, &id, text);
    }
    Ok(command)
}

/// `command` with `value` as the default of setting `id`, hidden from
/// `--help` when the setting is a secret.
fn with_default(command: clap::Command, id: &str, value: String) -> clap::Command {
    // clap keeps defaults for the life of the program; this runs once per
    // setting at startup.
    let value: &'static str = Box::leak(value.into_boxed_str());
    command.mut_arg(id, |a| {
        let secret = a.is_hide_env_values_set();
        a.default_value(value).hide_default_value(secret)
    })
}

/// The standard AWS variables (seed 004) as the defaults of the S3
/// settings: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and
/// `AWS_DEFAULT_REGION` (or `AWS_REGION`); and `S3_PREFIX` as the default
/// of `storage_prefix`. Applied after the config file,
/// so the order is file < `AWS_*` < `S3_*` variables < flags. `env` reads a
/// variable (the process environment in `main`).
pub fn apply_aws_env(
    mut command: clap::Command,
    env: impl Fn(&str) -> Option<String>,
) -> clap::Command {
    let sources: [(&str, &[&str]); 4] = [
        ("s3_access_key", &["AWS_ACCESS_KEY_ID"]),
        ("s3_secret_key", &["AWS_SECRET_ACCESS_KEY"]),
        ("s3_region", &["AWS_DEFAULT_REGION", "AWS_REGION"]),
        ("storage_prefix", &["S3_PREFIX"]),
    ];
    for (id, vars) in sources {
        if let Some(value) = vars.iter().find_map(|k| env(k).filter(|v| !v.is_empty())) {
            command = with_default(command, id, value);
        }
    }
    command
}

/// A scalar TOML value as the text a flag would carry; `None` for tables
/// and nested arrays.
fn scalar(v: &toml::Value) -> Option<String> {
    Some(match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Datetime(d) => d.to_string(),
        toml::Value::Array(_) | toml::Value::Table(_) => return None,
    })
}

/// The value of `--config <file>` or `--config=<file>` among `args`.
fn config_path(args: &[std::ffi::OsString]) -> Option<PathBuf> {
    let mut it = args.iter().skip(1);
    while let Some(a) = it.next() {
        let s = a.to_string_lossy();
        if s == "--config" {
            return it.next().map(PathBuf::from);
        }
        if let Some(p) = s.strip_prefix("--config=") {
            return Some(PathBuf::from(p));
        }
        if s == "--" {
            break;
        }
    }
    None
}

#[cfg(test)]
mod aws_env_tests {
    use super::*;

    #[derive(clap::Parser)]
    struct P {
        #[command(flatten)]
        s: Settings,
    }

    /// The default each S3 setting gets from `env` (the process's own
    /// `S3_*` variables, which win over these defaults, are clap's to
    /// apply and do not disturb this check).
    fn defaults(env: &[(&str, &str)]) -> Vec<(String, Option<String>)> {
        use clap::CommandFactory as _;
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let command = apply_aws_env(P::command(), |k| {
            env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
        });
        ["s3_access_key", "s3_secret_key", "s3_region"]
            .into_iter()
            .map(|id| {
                let arg = command
                    .get_arguments()
                    .find(|a| a.get_id() == id)
                    .expect("the setting exists");
                let default = arg
                    .get_default_values()
                    .first()
                    .map(|v| v.to_string_lossy().into_owned());
                (id.to_owned(), default)
            })
            .collect()
    }

    /// Seed 004's variables become the S3 settings' defaults; an empty
    /// variable counts as unset; `AWS_REGION` stands in for
    /// `AWS_DEFAULT_REGION`; the secret's default is hidden from `--help`.
    #[test]
    fn the_standard_aws_variables_configure_s3() {
        let aws = [
            ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI"),
            ("AWS_DEFAULT_REGION", "eu-west-1"),
        ];
        let some = |s: &str| Some(s.to_owned());
        assert_eq!(
            defaults(&aws),
            [
                ("s3_access_key".to_owned(), some("AKIDEXAMPLE")),
                ("s3_secret_key".to_owned(), some("wJalrXUtnFEMI")),
                ("s3_region".to_owned(), some("eu-west-1")),
            ]
        );
        let d = defaults(&[("AWS_REGION", "us-west-2"), ("AWS_DEFAULT_REGION", "")]);
        assert_eq!(d[2].1.as_deref(), Some("us-west-2"));
        assert_eq!(d[0].1, None);
        assert_eq!(defaults(&[])[2].1.as_deref(), Some("us-east-1"));
    }
}

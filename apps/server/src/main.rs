//! `rtc-server`: runs the signaling server, or mints a development token.

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use server::{Application, Settings};

#[derive(Parser)]
#[command(
    name = "rtc-server",
    version,
    about = "Self-hosted WebRTC signaling and collaboration backend"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    settings: Settings,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (the default).
    Serve,
    /// Print the effective settings (config file < environment < flags;
    /// secrets redacted) and exit: checks a configuration before a deploy.
    CheckConfig,
    /// Print the whole OpenAPI document (every operation, the admin API
    /// included), as committed in docs/openapi.json, and exit.
    Openapi,
    /// Print a signed token (HS256 with RTC_JWT_SECRET; the public
    /// development secret only with --insecure-dev).
    MintToken {
        /// User id (`sub`).
        #[arg(long)]
        user: String,
        /// Restrict to one room.
        #[arg(long)]
        room: Option<String>,
        /// host, moderator, participant or viewer.
        #[arg(long)]
        role: Option<String>,
        /// Lifetime in seconds.
        #[arg(long, default_value_t = 3600)]
        ttl: i64,
    },
}

fn init_tracing(json: bool) {
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    let b = tracing_subscriber::fmt().with_env_filter(filter);
    if json { b.json().init() } else { b.init() }
}

fn main() -> anyhow::Result<()> {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let command = server::config::apply_config_file(Cli::command(), &args).unwrap_or_else(|e| {
        eprintln!("error: {e:#}");
        std::process::exit(2)
    });
    let command = server::config::apply_aws_env(command, |k| std::env::var(k).ok());
    let cli = Cli::from_arg_matches(&command.get_matches_from(&args)).unwrap_or_else(|e| e.exit());
    init_tracing(cli.settings.ops.log_json);
    match cli.command {
        Some(Command::CheckConfig) => {
            println!("{:#?}", cli.settings);
            Ok(())
        }
        Some(Command::Openapi) => {
            print!("{}", server::openapi::document_text());
            Ok(())
        }
        Some(Command::MintToken {
            user,
            room,
            role,
            ttl,
        }) => {
            let secret = cli.settings.minting_secret()?;
            let role = match role {
                Some(r) => Some(r.parse().map_err(|_| anyhow::anyhow!("unknown role {r}"))?),
                None => None,
            };
            let now = kernel::Clock::unix(&kernel::SystemClock);
            let token = auth::TokenMinter::hs256(secret.as_bytes()).mint_for(
                &user,
                room.as_deref(),
                role,
                now,
                ttl,
            )?;
            println!("{token}");
            Ok(())
        }
        Some(Command::Serve) | None => actix_rt::System::new().block_on(async move {
            let app = Application::build(cli.settings).await?;
            println!("listening on http://{}", app.local_addr());
            tracing::info!(addr = %app.local_addr(), "listening");
            app.run_until_signal().await?;
            Ok(())
        }),
    }
}

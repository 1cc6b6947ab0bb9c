//! The binary's configuration: file < environment < flags, unknown keys
//! refused, secrets never printed.

use std::process::Command;

fn rtc() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rtc-server"));
    // Only what each test sets.
    for (k, _) in std::env::vars() {
        if k.starts_with("RTC_") || k == "REDIS_URL" || k == "MONGODB_URI" || k.starts_with("S3_") {
            c.env_remove(k);
        }
    }
    c
}

fn config_file(text: &str) -> tempfile_path::TempPath {
    tempfile_path::write(text)
}

/// A tiny temp-file helper (no extra dependency).
mod tempfile_path {
    pub struct TempPath(pub std::path::PathBuf);
    impl Drop for TempPath {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }
    pub fn write(text: &str) -> TempPath {
        let p = std::env::temp_dir().join(format!("rtc-cli-{}.toml", uuid_like()));
        std::fs::write(&p, text).unwrap();
        TempPath(p)
    }
    fn uuid_like() -> String {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap();
        format!("{}-{}", std::process::id(), t.as_nanos())
    }
}

fn effective(c: &mut Command) -> String {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn file_then_environment_then_flags() {
    let f = config_file(
        "room_capacity = 7\nheartbeat-secs = 9\nstun_urls = [\"stun:a:1\", \"stun:b:2\"]\nidle_timeout_secs = 40\n",
    );
    let base = effective(rtc().arg("--config").arg(&f.0).arg("check-config"));
    assert!(base.contains("room_capacity: 7,"), "{base}");
    assert!(base.contains("heartbeat_secs: 9,"), "{base}");
    assert!(
        base.contains("\"stun:a:1\",\n            \"stun:b:2\","),
        "{base}"
    );
    // The environment beats the file; a flag beats both.
    let out = effective(
        rtc()
            .env("RTC_CONFIG", &f.0)
            .env("RTC_ROOM_CAPACITY", "8")
            .env("RTC_HEARTBEAT_SECS", "10")
            .args(["--heartbeat-secs", "11", "check-config"]),
    );
    assert!(out.contains("room_capacity: 8,"), "{out}");
    assert!(out.contains("heartbeat_secs: 11,"), "{out}");
    assert!(out.contains("idle_timeout_secs: 40,"), "{out}");
}

#[test]
fn unknown_keys_and_bad_values_are_errors() {
    let f = config_file("room_capacity = 7\nroom_capacty = 8\n");
    let out = rtc()
        .arg("--config")
        .arg(&f.0)
        .arg("check-config")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown key `room_capacty`"), "{err}");
    let f = config_file("room_capacity = \"lots\"\n");
    let out = rtc()
        .arg("--config")
        .arg(&f.0)
        .arg("check-config")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("lots") && err.contains("room-capacity"),
        "{err}"
    );
    let out = rtc()
        .args(["--config", "/nonexistent.toml", "check-config"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn secrets_never_print() {
    let f = config_file(
        "jwt_secret = \"file-secret-0123456789abcdef\"\nturn_secret = \"turn-file-secret\"\n",
    );
    let out = effective(
        rtc()
            .arg("--config")
            .arg(&f.0)
            .env("RTC_LINK_SECRET", "env-link-secret-0123456789")
            .arg("check-config"),
    );
    for secret in [
        "file-secret-0123456789abcdef",
        "turn-file-secret",
        "env-link-secret-0123456789",
    ] {
        assert!(!out.contains(secret), "{secret} printed: {out}");
    }
    assert!(out.contains("jwt_secret: Some("), "{out}");
    let help = rtc()
        .arg("--config")
        .arg(&f.0)
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("--room-capacity"), "{help}");
    assert!(!help.contains("file-secret"), "{help}");
}

/// A running `rtc-server`, its stdout read line by line.
struct Running {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
    out: String,
}

impl Running {
    fn start(c: &mut Command) -> Running {
        use std::io::BufRead;
        use std::process::Stdio;
        let mut child = c
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let _ = tx.send(line);
            }
        });
        Running {
            child,
            lines,
            out: String::new(),
        }
    }

    /// Reads stdout until a line read so far contains `pattern` (true), or
    /// the process exits or a minute passes (false).
    fn wait_for(&mut self, pattern: &str) -> bool {
        if self.out.contains(pattern) {
            return true;
        }
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
            let Ok(line) = self.lines.recv_timeout(left) else {
                return false;
            };
            self.out.push_str(&line);
            self.out.push('\n');
            if line.contains(pattern) {
                return true;
            }
        }
        false
    }

    /// `host:port` from the "listening on http://…" line.
    fn addr(&self) -> String {
        let line = self
            .out
            .lines()
            .find(|l| l.starts_with("listening on"))
            .unwrap();
        line.trim_start_matches("listening on http://").to_owned()
    }

    /// Kills it; everything it printed on stdout and stderr.
    fn stop(mut self) -> String {
        use std::io::Read;
        let _ = self.child.kill();
        self.child.wait().unwrap();
        while let Ok(line) = self.lines.recv_timeout(std::time::Duration::from_secs(5)) {
            self.out.push_str(&line);
            self.out.push('\n');
        }
        let mut err = String::new();
        let mut stderr = self.child.stderr.take().unwrap();
        stderr.read_to_string(&mut err).unwrap();
        self.out + &err
    }
}

/// Runs `serve` until it prints "listening on" (then kills it) or exits;
/// returns whether it was listening, and everything it printed.
fn serve(c: &mut Command) -> (bool, String) {
    let mut r = Running::start(c.env("RTC_STORAGE", "memory"));
    let listening = r.wait_for("listening on");
    (listening, r.stop())
}

#[test]
fn no_secret_on_a_public_address_refuses_to_start() {
    let (listening, out) = serve(rtc().args(["--bind", "0.0.0.0:0", "serve"]));
    assert!(!listening, "{out}");
    assert!(
        out.contains("refusing to listen on 0.0.0.0") && out.contains("RTC_JWT_SECRET"),
        "{out}"
    );
    // `serve` is the default command; the exit status says it failed.
    let out = rtc()
        .args(["--bind", "0.0.0.0:0"])
        .env("RTC_STORAGE", "memory")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    // With a real secret it starts, without a word about development mode.
    let (listening, out) = serve(
        rtc()
            .args(["--bind", "0.0.0.0:0", "serve"])
            .env("RTC_JWT_SECRET", "a-real-secret-0123456789abcdef"),
    );
    assert!(listening, "{out}");
    assert!(!out.contains("INSECURE"), "{out}");
}

#[test]
fn no_secret_starts_on_loopback_or_with_insecure_dev_but_says_so_loudly() {
    for args in [
        &["--bind", "127.0.0.1:0", "serve"][..],
        &["--bind", "0.0.0.0:0", "serve", "--insecure-dev"][..],
    ] {
        let (listening, out) = serve(rtc().args(args));
        assert!(listening, "{args:?}: {out}");
        assert!(out.contains("INSECURE DEVELOPMENT MODE"), "{out}");
        assert!(out.contains("anyone can"), "{out}");
        assert!(out.contains("forge"), "{out}");
        assert!(out.contains("POST /webrtc/dev/token"), "{out}");
    }
    let (listening, out) = serve(
        rtc()
            .args(["--bind", "0.0.0.0:0", "serve"])
            .env("RTC_INSECURE_DEV", "true"),
    );
    assert!(
        listening && out.contains("INSECURE DEVELOPMENT MODE"),
        "{out}"
    );
}

#[test]
fn mint_token_needs_a_secret_or_insecure_dev() {
    let out = rtc().args(["mint-token", "--user", "a"]).output().unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("RTC_JWT_SECRET") && err.contains("--insecure-dev"),
        "{err}"
    );
    let dev = auth::TokenVerifier::new(auth::VerifierConfig::hs256(server::config::DEV_JWT_SECRET))
        .unwrap();
    let now = time_now();
    for c in [
        rtc().args(["mint-token", "--user", "a", "--insecure-dev"]),
        rtc().args(["--insecure-dev", "mint-token", "--user", "a"]),
    ] {
        let out = c.output().unwrap();
        assert!(out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("PUBLIC development secret"), "{err}");
        let token = String::from_utf8(out.stdout).unwrap();
        assert_eq!(dev.verify(token.trim(), now).unwrap().user_id, "a");
    }
    let secret = "a-real-secret-0123456789abcdef";
    let out = rtc()
        .args(["mint-token", "--user", "b", "--insecure-dev"])
        .env("RTC_JWT_SECRET", secret)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let real = auth::TokenVerifier::new(auth::VerifierConfig::hs256(secret)).unwrap();
    let token = String::from_utf8(out.stdout).unwrap();
    assert_eq!(real.verify(token.trim(), now).unwrap().user_id, "b");
}

fn time_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The password in every URL of the next test.
const PW: &str = "hunter2pass";
const REDIS: &str = "redis://:hunter2pass@127.0.0.1:1/0";
const MONGO: &str = "mongodb://rtc:hunter2pass@127.0.0.1:1/rtc?authSource=rtc";
const HOOK: &str = "http://hook:hunter2pass@127.0.0.1:1/hook?token=hunter2pass";

fn with_urls(c: &mut Command) -> &mut Command {
    c.env("REDIS_URL", REDIS)
        .env("MONGODB_URI", MONGO)
        .env("RTC_WEBHOOK_URL", HOOK)
        .env("RTC_WEBHOOK_SECRET", "webhook-secret-0123456789")
        .env("RTC_JWT_SECRET", "a-real-secret-0123456789abcdef")
}

#[test]
fn credentials_in_urls_never_print_in_check_config_or_help() {
    let out = effective(with_urls(&mut rtc()).arg("check-config"));
    assert!(!out.contains(PW), "{out}");
    assert!(out.contains("redis://:***@127.0.0.1:1/0"), "{out}");
    assert!(
        out.contains("mongodb://rtc:***@127.0.0.1:1/rtc?authSource=rtc"),
        "{out}"
    );
    assert!(
        out.contains("http://hook:***@127.0.0.1:1/hook?token=***"),
        "{out}"
    );
    let help = effective(with_urls(&mut rtc()).arg("--help"));
    assert!(help.contains("REDIS_URL") && !help.contains(PW), "{help}");
    // Values from a config file are defaults, which --help would show.
    let f = config_file(&format!(
        "redis_url = \"{REDIS}\"\nmongodb_uri = \"{MONGO}\"\nwebhook_url = \"{HOOK}\"\n"
    ));
    let help = effective(rtc().arg("--config").arg(&f.0).arg("--help"));
    assert!(help.contains("MONGODB_URI") && !help.contains(PW), "{help}");
    let out = effective(rtc().arg("--config").arg(&f.0).arg("check-config"));
    assert!(out.contains("redis://:***@") && !out.contains(PW), "{out}");
}

#[test]
fn credentials_in_urls_never_print_while_serving_or_failing() {
    // Unreachable Redis and MongoDB: the server starts and logs failures.
    let mut r = Running::start(with_urls(&mut rtc()).args(["--bind", "127.0.0.1:0"]));
    assert!(r.wait_for("listening on"), "{}", r.stop());
    assert!(r.wait_for("instance heartbeat failed"), "{}", r.stop());
    assert!(
        r.wait_for("MongoDB indexes not created yet"),
        "{}",
        r.stop()
    );
    let out = r.stop();
    assert!(out.contains("webhooks on") && !out.contains(PW), "{out}");
    // URLs the drivers refuse: startup fails, naming the redacted URL.
    for (var, url) in [
        ("REDIS_URL", "redis://:hunter2pass@127.0.0.1:notaport/0"),
        (
            "MONGODB_URI",
            "mongodb://rtc:hunter2pass@127.0.0.1:1/rtc?authMechanism=BOGUS",
        ),
        ("RTC_WEBHOOK_URL", "ftp://hook:hunter2pass@127.0.0.1:1/hook"),
    ] {
        let out = with_urls(&mut rtc())
            .env(var, url)
            .args(["--bind", "127.0.0.1:0"])
            .output()
            .unwrap();
        let all = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{var}: {all}");
        assert!(
            all.contains(":***@127.0.0.1") && !all.contains(PW),
            "{var}: {all}"
        );
    }
    // A failing webhook delivery: reqwest's error quotes the URL.
    let mut r = Running::start(
        rtc()
            .env("RTC_STORAGE", "memory")
            .env("RTC_WEBHOOK_URL", HOOK)
            .env("RTC_WEBHOOK_SECRET", "webhook-secret-0123456789")
            .env("RTC_WEBHOOK_RETRY_INITIAL_MS", "50")
            .env("RTC_JWT_SECRET", "a-real-secret-0123456789abcdef")
            .env("RTC_ADMIN_API_KEY", "ops")
            .env(
                "RTC_ADMIN_API_SECRET",
                "admin-secret-0123456789abcdef-0123456789",
            )
            .args(["--bind", "127.0.0.1:0"]),
    );
    assert!(r.wait_for("listening on"), "{}", r.stop());
    let reply = http_post(
        &r.addr(),
        "/webrtc/admin/rooms",
        "ops:admin-secret-0123456789abcdef-0123456789",
        r#"{"room_id":"leak-check"}"#,
    );
    assert!(reply.starts_with("HTTP/1.1 201"), "{reply}");
    assert!(r.wait_for("webhook delivery failed"), "{}", r.stop());
    let out = r.stop();
    assert!(
        out.contains("hook:***@127.0.0.1") && !out.contains(PW),
        "{out}"
    );
}

/// A bare HTTP/1.1 POST with Basic credentials; the whole response.
fn http_post(addr: &str, path: &str, basic: &str, body: &str) -> String {
    use base64::Engine as _;
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    let auth = base64::engine::general_purpose::STANDARD.encode(basic);
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Basic {auth}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut reply = String::new();
    s.read_to_string(&mut reply).unwrap();
    reply
}

#[test]
fn a_short_admin_secret_refuses_to_start() {
    let short = "admin-secret-0123456789abcdef"; // 29 bytes
    let out = rtc()
        .env("RTC_JWT_SECRET", "a-real-secret-0123456789abcdef")
        .env("RTC_STORAGE", "memory")
        .env("RTC_ADMIN_API_KEY", "ops")
        .env("RTC_ADMIN_API_SECRET", short)
        .args(["--bind", "127.0.0.1:0"])
        .output()
        .unwrap();
    let all = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(
        all.contains("RTC_ADMIN_API_SECRET must be at least 32 bytes"),
        "{all}"
    );
    assert!(!all.contains(short), "{all}");
}

/// Seed 004's `s3_prefix` names the storage key prefix in a config file,
/// `S3_PREFIX` in the environment, and `RTC_STORAGE_PREFIX` beats both.
#[test]
fn the_seeds_s3_prefix_sets_the_storage_prefix() {
    let f = config_file("s3_prefix = \"webrtc/recordings/\"\n");
    let out = effective(rtc().arg("--config").arg(&f.0).arg("check-config"));
    assert!(
        out.contains("storage_prefix: Some(\n            \"webrtc/recordings/\","),
        "{out}"
    );
    let out = effective(rtc().env("S3_PREFIX", "team-a/").arg("check-config"));
    assert!(out.contains("\"team-a/\""), "{out}");
    let out = effective(
        rtc()
            .env("S3_PREFIX", "team-a/")
            .env("RTC_STORAGE_PREFIX", "team-b/")
            .arg("check-config"),
    );
    assert!(
        out.contains("\"team-b/\"") && !out.contains("team-a"),
        "{out}"
    );
    let out = effective(rtc().arg("check-config"));
    assert!(out.contains("storage_prefix: None,"), "{out}");
}

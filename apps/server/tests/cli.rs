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
        base.contains("\"stun:a:1\",\n        \"stun:b:2\","),
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

/// Runs `serve` until it prints "listening on" (then kills it) or exits;
/// returns whether it was listening, and everything it printed.
fn serve(c: &mut Command) -> (bool, String) {
    use std::io::{BufRead, Read};
    use std::process::Stdio;
    let mut child = c
        .env("RTC_STORAGE", "memory")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let _ = tx.send(line);
        }
    });
    let mut out = String::new();
    let mut listening = false;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(line) => {
                out.push_str(&line);
                out.push('\n');
                if line.starts_with("listening on") {
                    listening = true;
                    break;
                }
            }
            Err(_) => break, // exited (or the deadline passed)
        }
    }
    let _ = child.kill();
    child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    out.push_str(&err);
    (listening, out)
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

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

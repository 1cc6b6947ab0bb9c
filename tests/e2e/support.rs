//! Test harness: spawn a server, mint tokens, drive WebSocket clients.

use std::net::{SocketAddr, TcpListener};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use server::{Application, Settings};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

pub const SECRET: &str = "e2e-test-secret-0123456789abcdef";

pub struct TestServer {
    pub addr: SocketAddr,
    /// The operations address, when `metrics_bind` was set.
    pub ops_addr: Option<SocketAddr>,
    run: Run,
}

/// How the server runs: in this test process, or as an OS process of its
/// own (the `rtc-server` binary), which a test can SIGKILL.
enum Run {
    InProcess(actix_web::dev::ServerHandle),
    Process(std::sync::Mutex<std::process::Child>),
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Run::Process(child) = &self.run {
            let mut c = child.lock().unwrap_or_else(|p| p.into_inner());
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Starts the `rtc-server` binary named by `RTC_SERVER_BIN` (`just test`
/// builds and exports it) on a free loopback port, with `env` and nothing
/// of this process's `RTC_*`, `REDIS_URL` or `MONGODB_URI`.
pub fn spawn_process(env: &[(&str, String)]) -> TestServer {
    use std::io::BufRead as _;
    let bin = std::env::var("RTC_SERVER_BIN").expect(
        "RTC_SERVER_BIN must name the rtc-server binary: run `just test`, or \
         `cargo build -p server` and export RTC_SERVER_BIN=target/debug/rtc-server",
    );
    let mut cmd = std::process::Command::new(bin);
    for (k, _) in std::env::vars() {
        if k.starts_with("RTC_") || k == "REDIS_URL" || k == "MONGODB_URI" {
            cmd.env_remove(k);
        }
    }
    cmd.args(["--bind", "127.0.0.1:0"])
        .env("RTC_JWT_SECRET", SECRET)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    let mut child = cmd.spawn().expect("rtc-server starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = std::io::BufReader::new(stdout).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("rtc-server printed its address")
            .expect("stdout");
        if let Some(a) = line.strip_prefix("listening on http://") {
            break a.parse().expect("an address");
        }
    };
    // Keep reading so the server never blocks on a full pipe; with
    // RTC_TEST_ECHO set, print the server's log (run with --no-capture).
    let echo = std::env::var_os("RTC_TEST_ECHO").is_some();
    std::thread::spawn(move || {
        for l in lines.map_while(Result::ok) {
            if echo {
                println!("[{addr}] {l}");
            }
        }
    });
    TestServer {
        addr,
        ops_addr: None,
        run: Run::Process(std::sync::Mutex::new(child)),
    }
}

/// Starts a server on port 0 in its own actix system thread.
pub fn spawn_with(mut settings: Settings) -> TestServer {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    settings.auth.jwt_secret = Some(SECRET.parse().unwrap());
    settings.http.workers = Some(2);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_rt::System::new().block_on(async move {
            let app = Application::from_listener(listener, settings)
                .await
                .expect("server builds");
            tx.send((app.handle(), app.ops_addr())).unwrap();
            app.run().await.expect("server runs");
        })
    });
    let (handle, ops_addr) = rx.recv().unwrap();
    TestServer {
        addr,
        ops_addr,
        run: Run::InProcess(handle),
    }
}

/// The `REDIS_URL` the test services script exported; an error, never a
/// skip, when it is missing.
pub fn redis_url() -> String {
    std::env::var("REDIS_URL").expect(
        "REDIS_URL must name a Redis server: run `just test`, or `tests/services.sh up` \
         and source .services/env",
    )
}

/// Settings for one instance of a cluster sharing Redis under `prefix`.
pub fn cluster_settings(url: &str, prefix: &str) -> Settings {
    let mut s = settings();
    s.redis.redis_url = Some(url.into());
    s.redis.redis_prefix = prefix.to_owned();
    s
}

/// The hex SHA-256 of `b`, as transfer offers and chunk headers carry it.
pub fn hex(b: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

pub fn settings() -> Settings {
    Settings::for_tests("127.0.0.1:0")
}

pub fn spawn() -> TestServer {
    spawn_with(settings())
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

pub fn token(user: &str, room: Option<&str>, role: Option<&str>) -> String {
    let role = role.map(|r| r.parse().unwrap());
    auth::TokenMinter::hs256(SECRET.as_bytes())
        .mint_for(user, room, role, now(), 3600)
        .unwrap()
}

impl TestServer {
    /// Stops the instance abruptly, like a crash: connections drop and no
    /// participant is told by this instance. A server in its own process
    /// gets SIGKILL.
    pub async fn kill(&self) {
        match &self.run {
            Run::InProcess(handle) => handle.stop(false).await,
            Run::Process(child) => {
                let mut c = child.lock().unwrap_or_else(|p| p.into_inner());
                let _ = c.kill();
                let _ = c.wait();
            }
        }
    }

    /// Sends SIGTERM to a server process and waits (up to `within`) for it
    /// to exit; returns its exit status, `None` if it did not exit in time.
    pub async fn terminate(&self, within: Duration) -> Option<std::process::ExitStatus> {
        let Run::Process(child) = &self.run else {
            panic!("terminate needs a server process (spawn_process)");
        };
        let pid = child.lock().unwrap().id();
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success(), "SIGTERM sent");
        let deadline = std::time::Instant::now() + within;
        while std::time::Instant::now() < deadline {
            if let Some(st) = child.lock().unwrap().try_wait().expect("wait") {
                return Some(st);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        None
    }

    pub fn http(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn connect(&self, room: &str, user: &str) -> Client {
        self.connect_as(room, user, None).await
    }

    pub async fn connect_as(&self, room: &str, user: &str, role: Option<&str>) -> Client {
        let t = token(user, None, role);
        self.connect_token(room, &t).await.expect("connects")
    }

    /// Connects as `user`, resuming after sequence `last`.
    pub async fn resume(&self, room: &str, user: &str, last: u64) -> Client {
        let t = token(user, None, None);
        let url = format!(
            "ws://{}/webrtc/ws/{}?token={}&last_sequence={}",
            self.addr, room, t, last
        );
        let (ws, _) = connect_async(url).await.expect("connects");
        Client {
            ws,
            backlog: Vec::new(),
        }
    }

    pub async fn connect_token(
        &self,
        room: &str,
        token: &str,
    ) -> Result<Client, tokio_tungstenite::tungstenite::Error> {
        let url = format!("ws://{}/webrtc/ws/{}?token={}", self.addr, room, token);
        let (ws, _) = connect_async(url).await?;
        Ok(Client {
            ws,
            backlog: Vec::new(),
        })
    }

    /// `user` in `room` through the Rust client crate (`rtc-client`).
    pub async fn rtc_client(&self, room: &str, user: &str) -> rtc_client::Client {
        self.rtc_client_with(room, user, |o| o).await
    }

    /// Like [`TestServer::rtc_client`], with options adjusted by `opts`.
    pub async fn rtc_client_with(
        &self,
        room: &str,
        user: &str,
        opts: impl FnOnce(rtc_client::Options) -> rtc_client::Options,
    ) -> rtc_client::Client {
        let t = token(user, None, None);
        rtc_client::Client::connect_with(opts(rtc_client::Options::new(&self.http(""), room, &t)))
            .await
            .expect("connects")
    }

    pub async fn get(&self, path: &str, user: &str) -> (u16, Value) {
        let r = reqwest::Client::new()
            .get(self.http(path))
            .bearer_auth(token(user, None, None))
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn post(&self, path: &str, user: &str, body: Value) -> (u16, Value) {
        let r = reqwest::Client::new()
            .post(self.http(path))
            .bearer_auth(token(user, None, None))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// POSTs `body` as it is (none at all when `None`) with an optional
    /// content type, as `user`.
    pub async fn post_raw(
        &self,
        path: &str,
        user: &str,
        content_type: Option<&str>,
        body: Option<&str>,
    ) -> (u16, Value) {
        let mut r = reqwest::Client::new()
            .post(self.http(path))
            .bearer_auth(token(user, None, None));
        if let Some(t) = content_type {
            r = r.header("content-type", t);
        }
        if let Some(b) = body {
            r = r.body(b.to_owned());
        }
        let r = r.send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }
}

pub struct Client {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    backlog: Vec<Value>,
}

pub enum Next {
    Msg(#[allow(dead_code)] Value),
    Closed(Option<u16>),
}

impl Client {
    pub async fn send(&mut self, v: Value) {
        self.ws
            .send(Message::Text(v.to_string().into()))
            .await
            .unwrap();
    }

    pub async fn send_raw(&mut self, s: &str) {
        self.ws
            .send(Message::Text(s.to_owned().into()))
            .await
            .unwrap();
    }

    /// Next JSON message or close, within 5 seconds.
    pub async fn next(&mut self) -> Next {
        if !self.backlog.is_empty() {
            return Next::Msg(self.backlog.remove(0));
        }
        loop {
            let m = tokio::time::timeout(Duration::from_secs(5), self.ws.next())
                .await
                .expect("message within 5 s");
            match m {
                Some(Ok(Message::Text(t))) => return Next::Msg(serde_json::from_str(&t).unwrap()),
                Some(Ok(Message::Close(f))) => return Next::Closed(f.map(|f| u16::from(f.code))),
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return Next::Closed(None),
            }
        }
    }

    /// Waits for a message of type `ty`, keeping others for later.
    pub async fn expect(&mut self, ty: &str) -> Value {
        if let Some(i) = self.backlog.iter().position(|m| m["type"] == ty) {
            return self.backlog.remove(i);
        }
        loop {
            let m = tokio::time::timeout(Duration::from_secs(5), self.ws.next())
                .await
                .unwrap_or_else(|_| panic!("no {ty} within 5 s; backlog {:?}", self.backlog));
            match m {
                Some(Ok(Message::Text(t))) => {
                    let v: Value = serde_json::from_str(&t).unwrap();
                    if v["type"] == ty {
                        return v;
                    }
                    self.backlog.push(v);
                }
                Some(Ok(Message::Close(f))) => panic!("closed ({f:?}) while waiting for {ty}"),
                Some(Ok(_)) => continue,
                other => panic!("stream ended while waiting for {ty}: {other:?}"),
            }
        }
    }

    /// Messages received but not yet taken by `expect`.
    pub fn backlog(&self) -> &[Value] {
        &self.backlog
    }

    /// Waits for an `error` message and returns its code.
    pub async fn expect_error(&mut self) -> String {
        self.expect("error").await["code"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Expects the server to close the connection; returns the close code.
    pub async fn expect_close(&mut self) -> Option<u16> {
        loop {
            if let Next::Closed(c) = self.next().await {
                return c;
            }
        }
    }

    /// Says goodbye with a close frame (code 1000): the user leaves at once.
    pub async fn close(mut self) {
        use tokio_tungstenite::tungstenite::protocol::CloseFrame;
        use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
        let _ = self
            .ws
            .close(Some(CloseFrame {
                code: CloseCode::Normal,
                reason: "bye".into(),
            }))
            .await;
        // Wait for the server's close so the leave has happened.
        while let Some(Ok(_)) = self.ws.next().await {}
    }

    /// A round trip through the server, proving the connection still works.
    pub async fn ping(&mut self) {
        self.send(serde_json::json!({"type": "ping", "ts": 42}))
            .await;
        let p = self.expect("pong").await;
        assert_eq!(p["ts"], 42);
    }
}

/// A real SDP offer of one audio section in direction `dir` (the media
/// plane parses it, unlike skeletal ones).
pub fn str0m_offer(dir: str0m::media::Direction) -> String {
    media::init_crypto();
    let mut rtc = str0m::Rtc::builder().build(std::time::Instant::now());
    let mut change = rtc.sdp_api();
    change.add_media(str0m::media::MediaKind::Audio, dir, None, None, None);
    let (offer, _) = change.apply().expect("an offer");
    offer.to_sdp_string()
}

/// Polls the status until it leaves `processing`.
pub async fn finished(s: &TestServer, room: &str, id: &str) -> Value {
    let t = std::time::Instant::now();
    loop {
        let (_, r) = s
            .get(
                &format!("/webrtc/rooms/{room}/recordings/{id}/status"),
                "host",
            )
            .await;
        if r["status"] != "processing" && r["status"] != "recording" {
            return r;
        }
        assert!(
            t.elapsed() < Duration::from_secs(120),
            "still processing: {r}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The webhook events a receiver acknowledged (2xx), deduplicated by id,
/// in order of first acknowledgement.
pub fn acked_events(hits: &[webhooks::testing::Hit]) -> Vec<webhooks::WebhookEvent> {
    let mut seen = std::collections::HashSet::new();
    hits.iter()
        .filter(|h| matches!(h.answer, Some((s, _)) if (200..300).contains(&s)))
        .filter_map(|h| h.event.clone())
        .filter(|e| seen.insert(e.id.clone()))
        .collect()
}

//! Benchmark scenarios that run against rtc-server, the PeerJS server and
//! the bare relay alike (`--protocol`), plus the room broadcast. See
//! apps/loadgen/bench.sh and docs/performance.md.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use futures_util::{SinkExt as _, StreamExt as _, stream};
use tokio_tungstenite::tungstenite::Message;

use crate::{Cli, Ws, now_ns, pct, sample};

/// Which server the generator talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Proto {
    /// rtc-server: JWT, rooms, `ice-candidate` / `offer` with `target`.
    Rtc,
    /// The PeerJS server (`peer` on npm): `CANDIDATE` / `OFFER` with `dst`.
    Peerjs,
    /// apps/bare-relay: forwards by `target`, nothing else.
    Bare,
}

impl Proto {
    /// The id a peer is addressed by.
    fn peer_id(self, room: &str, user: &str) -> String {
        match self {
            Proto::Rtc => user.to_owned(),
            _ => format!("{room}-{user}"),
        }
    }

    /// Opens a connection as `user` of `room` and waits until it is ready.
    pub async fn connect(self, cli: &Cli, url: &str, room: &str, user: &str) -> anyhow::Result<Ws> {
        let ws_url = url.replacen("http", "ws", 1);
        let target = match self {
            Proto::Rtc => {
                let token = crate::reliability::token(cli, user)?;
                format!("{ws_url}/webrtc/ws/{room}?token={token}")
            }
            Proto::Peerjs => format!(
                "{ws_url}/peerjs?key=peerjs&id={room}-{user}&token=t{}",
                now_ns() % 1_000_000
            ),
            Proto::Bare => format!("{ws_url}/?id={room}-{user}"),
        };
        // tungstenite zero-fills its whole read buffer (128 KiB by default)
        // before every read: with a thousand sockets at 10 msg/s that
        // memset was 38 % of the generator's core, and its stalls showed
        // as every server's latency tail. 8 KiB holds any frame here in
        // a read or two.
        let config = tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
            .read_buffer_size(8 * 1024);
        let (mut ws, _) = tokio_tungstenite::connect_async_with_config(target, Some(config), false)
            .await
            .with_context(|| format!("connecting {user}"))?;
        let ready = match self {
            Proto::Rtc => Some("\"room-state\""),
            Proto::Peerjs => Some("\"OPEN\""),
            Proto::Bare => None,
        };
        if let Some(marker) = ready {
            match ws.next().await {
                Some(Ok(Message::Text(t))) if t.contains(marker) => {}
                other => bail!("{user}: expected {marker}, got {other:?}"),
            }
        }
        Ok(ws)
    }

    /// A message of about `size` bytes to `to`, carrying `ts=<ns>`.
    fn message(self, to: &str, size: usize, ts: u64, pad: &str) -> String {
        if size <= 1000 {
            let cand = format!(
                r#"{{"candidate":"candidate:1 1 udp 2122260223 127.0.0.1 9 typ host ts={ts:020} {pad}","sdpMid":"0","sdpMLineIndex":0}}"#
            );
            match self {
                Proto::Peerjs => {
                    format!(
                        r#"{{"type":"CANDIDATE","dst":"{to}","payload":{{"candidate":{cand},"type":"media","connectionId":"mc_1"}}}}"#
                    )
                }
                _ => format!(r#"{{"type":"ice-candidate","target":"{to}","candidate":{cand}}}"#),
            }
        } else {
            let sdp = format!(
                r"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=x-pad:ts={ts:020} {pad}\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=sendrecv\r\n"
            );
            match self {
                Proto::Peerjs => format!(
                    r#"{{"type":"OFFER","dst":"{to}","payload":{{"sdp":{{"type":"offer","sdp":"{sdp}"}},"type":"media","connectionId":"mc_1"}}}}"#
                ),
                _ => format!(r#"{{"type":"offer","target":"{to}","sdp":"{sdp}"}}"#),
            }
        }
    }
}

/// The `ts=` stamp of a relayed message.
fn stamp(t: &str) -> Option<u64> {
    let i = t.find("ts=")? + 3;
    let digits: &str = &t[i..i + t[i..].find(|c: char| !c.is_ascii_digit())?];
    digits.parse().ok()
}

/// Pairs relaying at full rate (`window` in flight) or at `rate` msg/s per
/// pair. With one other instance in `others`, receivers are there; with
/// more, pair p goes from instance p mod n to the next one.
#[allow(clippy::too_many_arguments)]
pub async fn relay(
    cli: &Cli,
    proto: Proto,
    others: &[String],
    conns: usize,
    size: usize,
    secs: u64,
    window: u64,
    rate: Option<u64>,
) -> anyhow::Result<()> {
    let pairs = conns / 2;
    let run = format!("{}", now_ns() % 1_000_000_007);
    let mut socks = Vec::new();
    let all: Vec<&str> = std::iter::once(cli.url.as_str())
        .chain(others.iter().map(String::as_str))
        .collect();
    let n = all.len();
    for p in 0..pairs {
        let room = format!("bench-{run}-{p}");
        let (from, to) = match n {
            1 => (all[0], all[0]),
            2 => (all[0], all[1]),
            _ => (all[p % n], all[(p + 1) % n]),
        };
        let a = proto.connect(cli, from, &room, "a").await?;
        let b = proto.connect(cli, to, &room, "b").await?;
        socks.push((proto.peer_id(&room, "b"), a, b));
    }
    let url_b = others.first();
    if url_b.is_some() {
        // Let the other instance's subscription settle.
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let pad = "x".repeat(size.saturating_sub(180));
    if rate.is_none() {
        return relay_raw(cli, proto, n, socks, conns, size, secs, window, &pad).await;
    }
    let delivered = Arc::new(AtomicU64::new(0));
    let before = sample(cli.server_pid);
    let started = Instant::now();
    let deadline = started + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    let pair_count = socks.len().max(1) as u128;
    for (i, (to, mut a, mut b)) in socks.into_iter().enumerate() {
        let inflight = Arc::new(AtomicU64::new(0));
        let (inf, pad) = (inflight.clone(), pad.clone());
        let send = tokio::spawn(async move {
            // The sender never reads: runs are far shorter than the idle
            // timeout, and nothing it would receive matters here.
            let mut sent = 0u64;
            // Each sender at its own phase, evenly over the period: 500
            // timers firing in the same millisecond would measure the
            // generator's own bursts. (The phase once came from the clock
            // at the task's first poll, which is the same few hundred
            // microseconds for every sender.)
            let mut tick = rate.map(|r| {
                let period = Duration::from_micros(1_000_000 / r.max(1));
                let phase =
                    Duration::from_nanos((period.as_nanos() * i as u128 / pair_count) as u64);
                tokio::time::interval_at((Instant::now() + phase).into(), period)
            });
            while Instant::now() < deadline {
                if let Some(t) = &mut tick {
                    t.tick().await;
                    let msg = proto.message(&to, size, now_ns(), &pad);
                    if a.send(Message::Text(msg.into())).await.is_err() {
                        break;
                    }
                    inf.fetch_add(1, Ordering::Relaxed);
                    sent += 1;
                    continue;
                }
                // Full rate: fill the window, then one flush for the batch.
                let room = window.saturating_sub(inf.load(Ordering::Relaxed));
                if room == 0 {
                    tokio::time::sleep(Duration::from_micros(50)).await;
                    continue;
                }
                for _ in 0..room {
                    let msg = proto.message(&to, size, now_ns(), &pad);
                    if a.feed(Message::Text(msg.into())).await.is_err() {
                        return (sent, a);
                    }
                    inf.fetch_add(1, Ordering::Relaxed);
                    sent += 1;
                }
                if a.flush().await.is_err() {
                    break;
                }
            }
            // Kept open until the receiver is done: closing a socket with
            // unread data sends a reset, which can drop its last frames.
            (sent, a)
        });
        let (inf, delivered) = (inflight, delivered.clone());
        let trace = std::env::var_os("BENCH_TRACE").is_some();
        let recv = tokio::spawn(async move {
            let mut lat = Vec::with_capacity(1 << 14);
            while let Ok(Some(Ok(m))) =
                tokio::time::timeout_at((deadline + Duration::from_millis(500)).into(), b.next())
                    .await
            {
                let Message::Text(t) = m else { continue };
                if let Some(ts) = stamp(&t) {
                    lat.push(now_ns().saturating_sub(ts));
                    if trace {
                        // Send time and latency (ns) of every sample, to see
                        // whether a tail is spread or a burst.
                        eprintln!("TRACE {ts} {}", now_ns().saturating_sub(ts));
                    }
                    inf.fetch_sub(1, Ordering::Relaxed);
                    delivered.fetch_add(1, Ordering::Relaxed);
                }
            }
            lat
        });
        tasks.push((send, recv));
    }
    let mode = match rate {
        Some(r) => format!("rate={r}/s/pair"),
        None => format!("window={window}"),
    };
    let across = if n > 1 {
        format!(" across {n} instances")
    } else {
        String::new()
    };
    let label = format!("relay proto={proto:?} conns={conns} size={size}B {mode}{across}");
    report(cli, before, tasks, &delivered, &label, secs).await
}

/// A pair's sender (messages sent, and its socket, closed only at the end)
/// and receiver (latencies in µs).
type PairTask<S> = (
    tokio::task::JoinHandle<(u64, S)>,
    tokio::task::JoinHandle<Vec<u64>>,
);

/// Waits for every pair, then prints the rate and latency line and the
/// server's CPU and RSS over the run.
async fn report<S>(
    cli: &Cli,
    before: Option<crate::ProcSample>,
    tasks: Vec<PairTask<S>>,
    delivered: &AtomicU64,
    label: &str,
    secs: u64,
) -> anyhow::Result<()> {
    let mut lat = Vec::new();
    let mut sent = 0;
    for (s, r) in tasks {
        let (n, socket) = s.await?;
        sent += n;
        lat.extend(r.await?);
        drop(socket);
    }
    let elapsed = (secs as f64).max(0.001);
    let after = sample(cli.server_pid);
    lat.sort_unstable();
    let n = delivered.load(Ordering::Relaxed);
    println!(
        "{label}: sent={sent} delivered={n} rate={:.0} msg/s p50={:.3}ms p99={:.3}ms p99.9={:.3}ms",
        n as f64 / elapsed,
        pct(&lat, 0.5) / 1000.0,
        pct(&lat, 0.99) / 1000.0,
        pct(&lat, 0.999) / 1000.0,
    );
    server_line(before, after, elapsed);
    Ok(())
}

/// The server's CPU over a run of `secs`, its RSS at the end, and the
/// host's steal time meanwhile.
fn server_line(before: Option<crate::ProcSample>, after: Option<crate::ProcSample>, secs: f64) {
    if let (Some(b), Some(a)) = (before, after) {
        let cpu = (a.cpu_ticks - b.cpu_ticks) as f64 / 100.0;
        println!(
            "  server: cpu={cpu:.2}s ({:.0}% of one core) rss={} KiB; host steal {} ms",
            cpu / secs * 100.0,
            a.rss_kib,
            a.steal_ticks.saturating_sub(b.steal_ticks) * 10
        );
    }
}

/// `conns` idle connections, `per_room` to a room (each its own user):
/// connects/s, the server CPU it took, and RSS per connection.
pub async fn idle(
    cli: &Cli,
    proto: Proto,
    conns: usize,
    hold_secs: u64,
    per_room: usize,
) -> anyhow::Result<()> {
    let run = now_ns() % 1_000_000_007;
    let per_room = per_room.max(1);
    let before = sample(cli.server_pid);
    let started = Instant::now();
    let opened: Vec<anyhow::Result<Ws>> = stream::iter(0..conns)
        .map(|i| async move {
            let (room, user) = (i / per_room, i % per_room);
            proto
                .connect(
                    cli,
                    &cli.url,
                    &format!("idle-{run}-{room}"),
                    &format!("u{user}"),
                )
                .await
        })
        .buffer_unordered(256)
        .collect()
        .await;
    let secs = started.elapsed().as_secs_f64();
    let mut socks = Vec::with_capacity(conns);
    for r in opened {
        socks.push(r?);
    }
    tokio::time::sleep(Duration::from_secs(hold_secs)).await;
    let held = sample(cli.server_pid);
    let rooms = if per_room > 1 {
        format!(", {per_room} per room")
    } else {
        String::new()
    };
    println!(
        "idle proto={proto:?}: {conns} connections in {secs:.2}s ({:.0}/s){rooms}",
        conns as f64 / secs
    );
    if let (Some(b), Some(h)) = (before, held) {
        println!(
            "  server: cpu to connect {:.2}s, rss {} -> {} KiB = {:.1} KiB per idle connection",
            (h.cpu_ticks - b.cpu_ticks) as f64 / 100.0,
            b.rss_kib,
            h.rss_kib,
            h.rss_kib.saturating_sub(b.rss_kib) as f64 / conns as f64
        );
    }
    for mut s in socks {
        let _ = s.close(None).await;
    }
    Ok(())
}

/// `rooms` rooms of `size` participants, each sending a chat message every
/// `every_ms`; latency from sending to each other member's receipt.
pub async fn broadcast(
    cli: &Cli,
    rooms: usize,
    size: usize,
    every_ms: u64,
    secs: u64,
) -> anyhow::Result<()> {
    let run = now_ns() % 1_000_000_007;
    let mut socks = Vec::new();
    for r in 0..rooms {
        for u in 0..size {
            let ws = Proto::Rtc
                .connect(cli, &cli.url, &format!("bc-{run}-{r}"), &format!("p{u}"))
                .await?;
            socks.push(ws);
        }
    }
    // Let the join notices settle.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = sample(cli.server_pid);
    let deadline = Instant::now() + Duration::from_secs(secs);
    let sent = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    let senders = socks.len().max(1) as u64;
    for (i, ws) in socks.into_iter().enumerate() {
        let sent = sent.clone();
        tasks.push(tokio::spawn(async move {
            let (mut tx, mut rx) = ws.split();
            let recv = tokio::spawn(async move {
                let mut lat = Vec::new();
                while let Ok(Some(Ok(m))) =
                    tokio::time::timeout_at((deadline + Duration::from_secs(1)).into(), rx.next())
                        .await
                {
                    if let Message::Text(t) = m
                        && t.contains("\"chat-message\"")
                        && let Some(ts) = stamp(&t)
                    {
                        lat.push(now_ns().saturating_sub(ts));
                    }
                }
                lat
            });
            // Stagger the senders evenly over the interval. (`i * 37 mod
            // interval` put about 18 of the 1,000 senders on each of 54
            // instants: bursts of 900 deliveries that were the p99.)
            let offset = i as u64 * every_ms.max(1) * 1000 / senders;
            tokio::time::sleep(Duration::from_micros(offset)).await;
            let mut tick = tokio::time::interval(Duration::from_millis(every_ms.max(1)));
            loop {
                tick.tick().await;
                // Checked after the wait: a message sent up to an interval
                // past the deadline arrives after the receivers stopped,
                // and showed as missing deliveries.
                if Instant::now() >= deadline {
                    break;
                }
                let msg = format!(
                    r#"{{"type":"chat-message","message":"hello ts={}"}}"#,
                    now_ns()
                );
                if tx.send(Message::Text(msg.into())).await.is_err() {
                    break;
                }
                sent.fetch_add(1, Ordering::Relaxed);
            }
            recv.await.unwrap_or_default()
        }));
    }
    let mut lat = Vec::new();
    for t in tasks {
        lat.extend(t.await?);
    }
    lat.sort_unstable();
    let s = sent.load(Ordering::Relaxed);
    println!(
        "broadcast {rooms} rooms x {size}: {s} chat messages sent, {} deliveries (expected {}), {:.0} deliveries/s, p50={:.3}ms p99={:.3}ms p99.9={:.3}ms",
        lat.len(),
        // Every participant gets the message, its sender too (the echo
        // that tells it the message was taken).
        s * size as u64,
        lat.len() as f64 / secs as f64,
        pct(&lat, 0.5) / 1000.0,
        pct(&lat, 0.99) / 1000.0,
        pct(&lat, 0.999) / 1000.0
    );
    server_line(before, sample(cli.server_pid), secs as f64);
    Ok(())
}

// ------------------------------------------------------------ raw generator

/// Full-rate relay with pre-built frames: after the WebSocket handshake the
/// generator writes client frames itself (a zero masking key, so the
/// payload goes as is, and a fixed-width timestamp patched in place) and
/// parses the server's frames with a few lines of code. A tungstenite
/// client spends more CPU per message than a lean server does, and the
/// generator has one core: this keeps the generator out of the figures.
#[allow(clippy::too_many_arguments)]
async fn relay_raw(
    cli: &Cli,
    proto: Proto,
    instances: usize,
    socks: Vec<(String, Ws, Ws)>,
    conns: usize,
    size: usize,
    secs: u64,
    window: u64,
    pad: &str,
) -> anyhow::Result<()> {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    use tokio_tungstenite::MaybeTlsStream;
    let plain = |ws: Ws| match ws.into_inner() {
        MaybeTlsStream::Plain(s) => Ok(s),
        _ => bail!("the raw generator needs plain TCP"),
    };
    let delivered = Arc::new(AtomicU64::new(0));
    let before = sample(cli.server_pid);
    let started = Instant::now();
    let deadline = started + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for (to, a, b) in socks {
        let (mut a, mut b) = (plain(a)?, plain(b)?);
        let template = proto.message(&to, size, 0, pad).into_bytes();
        let ts_at = template
            .windows(3)
            .position(|w| w == b"ts=")
            .context("template has no ts=")?
            + 3;
        let mut frame = vec![0x81u8];
        let len = template.len();
        if len < 126 {
            frame.push(0x80 | len as u8);
        } else if len < 65536 {
            frame.push(0x80 | 126);
            frame.extend_from_slice(&(len as u16).to_be_bytes());
        } else {
            frame.push(0x80 | 127);
            frame.extend_from_slice(&(len as u64).to_be_bytes());
        }
        frame.extend_from_slice(&[0, 0, 0, 0]);
        let ts_at = frame.len() + ts_at;
        frame.extend_from_slice(&template);
        let inflight = Arc::new(AtomicU64::new(0));
        let inf = inflight.clone();
        let send = tokio::spawn(async move {
            let mut sent = 0u64;
            let mut buf = Vec::with_capacity(frame.len() * window as usize);
            while Instant::now() < deadline {
                let room = window.saturating_sub(inf.load(Ordering::Relaxed));
                if room == 0 {
                    tokio::time::sleep(Duration::from_micros(50)).await;
                    continue;
                }
                buf.clear();
                for _ in 0..room {
                    let at = buf.len() + ts_at;
                    buf.extend_from_slice(&frame);
                    put_ts(&mut buf[at..at + 20], now_ns());
                }
                if a.write_all(&buf).await.is_err() {
                    break;
                }
                inf.fetch_add(room, Ordering::Relaxed);
                sent += room;
            }
            // Kept open until the receiver is done: closing a socket with
            // unread data sends a reset, which can drop its last frames.
            (sent, a)
        });
        let delivered = delivered.clone();
        let recv = tokio::spawn(async move {
            let mut lat = Vec::with_capacity(1 << 16);
            let mut buf: Vec<u8> = Vec::with_capacity(1 << 16);
            let mut start = 0usize;
            let mut ts_pos = usize::MAX;
            let end_at = deadline + Duration::from_millis(500);
            'read: loop {
                if buf.capacity() - buf.len() < 8192 {
                    buf.drain(..start);
                    start = 0;
                    buf.reserve(1 << 16);
                }
                match tokio::time::timeout_at(end_at.into(), b.read_buf(&mut buf)).await {
                    Ok(Ok(n)) if n > 0 => {}
                    _ => break,
                }
                // Whole frames from `start`.
                loop {
                    let f = &buf[start..];
                    if f.len() < 2 {
                        break;
                    }
                    let (op, l7) = (f[0] & 0x0f, (f[1] & 0x7f) as usize);
                    let (hl, len) = match l7 {
                        126 if f.len() >= 4 => (4, u16::from_be_bytes([f[2], f[3]]) as usize),
                        127 if f.len() >= 10 => (
                            10,
                            u64::from_be_bytes(f[2..10].try_into().unwrap()) as usize,
                        ),
                        126 | 127 => break,
                        n => (2, n),
                    };
                    if f.len() < hl + len {
                        break;
                    }
                    let payload = &f[hl..hl + len];
                    if op == 8 {
                        break 'read;
                    }
                    // The stamp sits at the same offset in every frame of a
                    // run; search only when it moved.
                    let hit =
                        |i: usize| payload.get(i.wrapping_sub(3)..i) == Some(b"ts=".as_slice());
                    if op == 1 && !hit(ts_pos) {
                        ts_pos = payload
                            .windows(3)
                            .position(|w| w == b"ts=")
                            .map_or(usize::MAX, |i| i + 3);
                    }
                    if op == 1
                        && let Some(ts) = payload
                            .get(ts_pos..ts_pos.saturating_add(20))
                            .and_then(get_ts)
                    {
                        lat.push(now_ns().saturating_sub(ts));
                        inflight.fetch_sub(1, Ordering::Relaxed);
                        delivered.fetch_add(1, Ordering::Relaxed);
                    }
                    start += hl + len;
                }
            }
            lat
        });
        tasks.push((send, recv));
    }
    let across = if instances > 1 {
        format!(" across {instances} instances")
    } else {
        String::new()
    };
    let label = format!("relay proto={proto:?} conns={conns} size={size}B window={window}{across}");
    report(cli, before, tasks, &delivered, &label, secs).await
}

/// Writes `v` as 20 decimal digits.
fn put_ts(out: &mut [u8], mut v: u64) {
    for d in out.iter_mut().rev() {
        *d = b'0' + (v % 10) as u8;
        v /= 10;
    }
}

/// Reads 20 decimal digits.
fn get_ts(d: &[u8]) -> Option<u64> {
    if d.len() != 20 {
        return None;
    }
    d.iter().try_fold(0u64, |acc, &c| {
        if !c.is_ascii_digit() {
            return None;
        }
        acc.checked_mul(10)?.checked_add(u64::from(c - b'0'))
    })
}

/// Join visibility across instances: for each of `joins` rooms, a watcher
/// joins on `url_b`, then a joiner on `cli.url`; prints the time from the
/// joiner's connect to its own `room-state` and to the watcher's
/// `user-joined`.
pub async fn visibility(cli: &Cli, url_b: &str, joins: usize) -> anyhow::Result<()> {
    let run = now_ns() % 1_000_000_007;
    let mut own = Vec::with_capacity(joins);
    let mut seen = Vec::with_capacity(joins);
    for i in 0..joins {
        let room = format!("vis-{run}-{i}");
        let mut watcher = Proto::Rtc.connect(cli, url_b, &room, "watcher").await?;
        let started = now_ns();
        let joiner = Proto::Rtc.connect(cli, &cli.url, &room, "joiner").await?;
        own.push(now_ns() - started);
        loop {
            let m = tokio::time::timeout(Duration::from_secs(5), watcher.next())
                .await
                .context("no user-joined within 5 s")?;
            match m {
                Some(Ok(Message::Text(t))) if t.contains("\"user-joined\"") => break,
                Some(Ok(_)) => {}
                other => bail!("watcher: {other:?}"),
            }
        }
        seen.push(now_ns() - started);
        drop((watcher, joiner));
    }
    own.sort_unstable();
    seen.sort_unstable();
    println!(
        "join visibility across 2 instances, {joins} joins: joiner's room-state p50={:.3}ms p99={:.3}ms; \
         user-joined on the other instance p50={:.3}ms p99={:.3}ms",
        pct(&own, 0.5) / 1000.0,
        pct(&own, 0.99) / 1000.0,
        pct(&seen, 0.5) / 1000.0,
        pct(&seen, 0.99) / 1000.0,
    );
    Ok(())
}

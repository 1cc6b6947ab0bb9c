//! Soak and chaos scenarios (`tests/chaos/*.sh` run them; figures go to
//! docs/reliability.md):
//!
//! - `hold`: many authenticated connections held open, pinging; every
//!   unexpected close, error frame or missing pong is an error.
//! - `steady`: pairs relaying on two instances (sender on one, receiver on
//!   the other) at a fixed rate, with a per-second timeline, so an outage
//!   (Redis restarted by the script) and the recovery are visible.
//! - `failover`: file transfers and a recording uploading through instance
//!   A, which is killed with SIGKILL half way; the clients move to
//!   instance B, and every chunk A acknowledged must still be there.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use futures_util::{SinkExt as _, StreamExt as _, stream};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::{Cli, Ws, now_ns, sample, sha_hex};

/// A two-hour token for `user`, signed with the server's secret.
pub(crate) fn token(cli: &Cli, user: &str) -> anyhow::Result<String> {
    let now = (now_ns() / 1_000_000_000) as i64;
    Ok(auth::TokenMinter::hs256(cli.secret.as_bytes()).mint_for(user, None, None, now, 7200)?)
}

async fn open(url: &str, room: &str, token: &str, last: Option<u64>) -> anyhow::Result<Ws> {
    let ws_url = url.replacen("http", "ws", 1);
    let mut u = format!("{ws_url}/webrtc/ws/{room}?token={token}");
    if let Some(l) = last {
        u.push_str(&format!("&last_sequence={l}"));
    }
    let (ws, _) = tokio_tungstenite::connect_async(u).await?;
    Ok(ws)
}

/// `hold`: `conns` connections in rooms of `room_size`, held `secs`.
pub async fn hold(
    cli: &Cli,
    conns: usize,
    room_size: usize,
    secs: u64,
    ping_every: u64,
) -> anyhow::Result<()> {
    let run = now_ns() % 1_000_000_007;
    let before = sample(cli.server_pid);
    let started = Instant::now();
    let errors = Arc::new(AtomicU64::new(0));
    let opened: Vec<anyhow::Result<Ws>> = stream::iter(0..conns)
        .map(|i| async move {
            let room = format!("soak-{run}-{}", i / room_size.max(1));
            let user = format!("u{i}");
            let mut ws = open(&cli.url, &room, &token(cli, &user)?, None).await?;
            match ws.next().await {
                Some(Ok(Message::Text(t))) if t.contains("\"room-state\"") => Ok(ws),
                other => bail!("{user}: expected room-state, got {other:?}"),
            }
        })
        .buffer_unordered(256)
        .collect()
        .await;
    let connect_secs = started.elapsed().as_secs_f64();
    let mut sockets = Vec::new();
    for r in opened {
        match r {
            Ok(ws) => sockets.push(ws),
            Err(e) => {
                if errors.fetch_add(1, Ordering::Relaxed) < 5 {
                    eprintln!("connect error: {e:#}");
                }
            }
        }
    }
    let held = sample(cli.server_pid);
    println!(
        "hold: {} of {conns} connected in {connect_secs:.1}s ({:.0}/s), rooms of {room_size}",
        sockets.len(),
        sockets.len() as f64 / connect_secs
    );
    let pongs = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for (i, mut ws) in sockets.into_iter().enumerate() {
        let (errors, pongs) = (errors.clone(), pongs.clone());
        tasks.push(tokio::spawn(async move {
            // Spread the pings over the interval.
            let mut next_ping = Instant::now()
                + Duration::from_millis((i as u64 * 7919) % (ping_every * 1000).max(1));
            let mut awaiting = 0u64;
            loop {
                let now = Instant::now();
                if now >= deadline {
                    break;
                }
                if now >= next_ping {
                    if ws
                        .send(Message::Text(
                            json!({"type": "ping", "ts": i}).to_string().into(),
                        ))
                        .await
                        .is_err()
                    {
                        errors.fetch_add(1, Ordering::Relaxed);
                        return;
                    }
                    awaiting += 1;
                    next_ping = now + Duration::from_secs(ping_every);
                }
                let wait = next_ping
                    .min(deadline)
                    .saturating_duration_since(Instant::now());
                match tokio::time::timeout(wait, ws.next()).await {
                    Err(_) => {}
                    Ok(Some(Ok(Message::Text(t)))) => {
                        if t.contains("\"type\":\"pong\"") {
                            awaiting = awaiting.saturating_sub(1);
                            pongs.fetch_add(1, Ordering::Relaxed);
                        } else if t.contains("\"type\":\"error\"") {
                            errors.fetch_add(1, Ordering::Relaxed);
                            eprintln!("error frame: {t}");
                        }
                    }
                    Ok(Some(Ok(_))) => {}
                    Ok(other) => {
                        errors.fetch_add(1, Ordering::Relaxed);
                        eprintln!("connection {i} ended early: {other:?}");
                        return;
                    }
                }
            }
            // A pong still owed after the last ping's round trip is an error.
            if awaiting > 0 {
                match tokio::time::timeout(Duration::from_secs(2), async {
                    while let Some(Ok(m)) = ws.next().await {
                        if matches!(&m, Message::Text(t) if t.contains("\"type\":\"pong\"")) {
                            return true;
                        }
                    }
                    false
                })
                .await
                {
                    Ok(true) => {
                        pongs.fetch_add(1, Ordering::Relaxed);
                    }
                    _ => {
                        errors.fetch_add(awaiting, Ordering::Relaxed);
                    }
                }
            }
            let _ = ws.close(None).await;
        }));
    }
    for t in tasks {
        t.await?;
    }
    let errors = errors.load(Ordering::Relaxed);
    println!(
        "hold: {secs}s held, {} pongs, {errors} errors",
        pongs.load(Ordering::Relaxed)
    );
    if let (Some(b), Some(h)) = (before, held) {
        println!(
            "server: rss {} KiB before, {} KiB with {conns} connections = {:.1} KiB per connection; cpu to connect {:.2}s",
            b.rss_kib,
            h.rss_kib,
            (h.rss_kib.saturating_sub(b.rss_kib)) as f64 / conns as f64,
            (h.cpu_ticks - b.cpu_ticks) as f64 / 100.0
        );
    }
    if errors > 0 {
        bail!("{errors} errors");
    }
    Ok(())
}

/// `steady`: `pairs` senders on `url` and receivers on `url_b`, each pair
/// sending `rate` offers/s for `secs`; prints delivered and refused per
/// second, the error codes seen, and how often clients had to rejoin (a
/// closed connection is reopened at once, as the web client does).
pub async fn steady(
    cli: &Cli,
    url_b: &str,
    pairs: usize,
    rate: u64,
    secs: u64,
) -> anyhow::Result<()> {
    let run = now_ns() % 1_000_000_007;
    let delivered = Arc::new(AtomicU64::new(0));
    let refused = Arc::new(AtomicU64::new(0));
    let rejoins = Arc::new(AtomicU64::new(0));
    let codes = Arc::new(std::sync::Mutex::new(std::collections::BTreeMap::<
        String,
        u64,
    >::new()));
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for p in 0..pairs {
        let room = format!("steady-{run}-{p}");
        let (ta, tb) = (token(cli, "a")?, token(cli, "b")?);
        let (url_a, url_b) = (cli.url.clone(), url_b.to_owned());
        let (delivered, refused, rejoins, codes) = (
            delivered.clone(),
            refused.clone(),
            rejoins.clone(),
            codes.clone(),
        );
        // The receiver: counts offers, rejoins when closed.
        let recv_room = room.clone();
        let recv_rejoins = rejoins.clone();
        let recv = tokio::spawn(async move {
            let mut first = true;
            while Instant::now() < deadline {
                let Ok(mut b) = open(&url_b, &recv_room, &tb, None).await else {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                };
                if !first {
                    recv_rejoins.fetch_add(1, Ordering::Relaxed);
                }
                first = false;
                while let Ok(Some(Ok(m))) =
                    tokio::time::timeout_at((deadline + Duration::from_secs(2)).into(), b.next())
                        .await
                {
                    if matches!(&m, Message::Text(t) if t.contains("\"type\":\"offer\"")) {
                        delivered.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        });
        tasks.push(tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / rate.max(1)));
            let mut first = true;
            'conn: while Instant::now() < deadline {
                let Ok(a) = open(&url_a, &room, &ta, None).await else {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                };
                if !first {
                    rejoins.fetch_add(1, Ordering::Relaxed);
                }
                first = false;
                let (mut tx, mut rx) = a.split();
                loop {
                    tokio::select! {
                        _ = tick.tick() => {
                            if Instant::now() >= deadline { break 'conn; }
                            let msg = json!({"type": "offer", "target": "b", "sdp": "v=0\r\n"}).to_string();
                            if tx.send(Message::Text(msg.into())).await.is_err() { continue 'conn; }
                        }
                        m = rx.next() => match m {
                            Some(Ok(Message::Text(t))) if t.contains("\"type\":\"error\"") => {
                                refused.fetch_add(1, Ordering::Relaxed);
                                let code = serde_json::from_str::<Value>(&t).ok()
                                    .and_then(|v| v["code"].as_str().map(str::to_owned)).unwrap_or_default();
                                *codes.lock().unwrap().entry(code).or_default() += 1;
                            }
                            Some(Ok(_)) => {}
                            _ => continue 'conn,
                        }
                    }
                }
            }
            let _ = recv.await;
        }));
    }
    let (mut last_d, mut last_r) = (0, 0);
    for s in 1..=secs {
        tokio::time::sleep_until((deadline - Duration::from_secs(secs - s)).into()).await;
        let (d, r) = (
            delivered.load(Ordering::Relaxed),
            refused.load(Ordering::Relaxed),
        );
        println!(
            "t={s:>3}s delivered {:>6}/s refused {:>6}/s",
            d - last_d,
            r - last_r
        );
        (last_d, last_r) = (d, r);
    }
    for t in tasks {
        t.await?;
    }
    let sent = pairs as u64 * rate * secs;
    println!(
        "steady: ~{sent} sent, {} delivered, {} refused with an error code {:?}, {} rejoins",
        delivered.load(Ordering::Relaxed),
        refused.load(Ordering::Relaxed),
        codes.lock().unwrap(),
        rejoins.load(Ordering::Relaxed),
    );
    Ok(())
}

struct Upload {
    room: String,
    sender_token: String,
    receiver_token: String,
    id: String,
    data: Vec<u8>,
    chunk: usize,
    acked: BTreeSet<usize>,
}

async fn put_chunks(
    http: &reqwest::Client,
    url: &str,
    u: &mut Upload,
    which: impl Iterator<Item = usize>,
) -> anyhow::Result<()> {
    let base = format!("{url}/webrtc/rooms/{}/file-transfer/{}", u.room, u.id);
    for i in which {
        let c = &u.data[i * u.chunk..((i + 1) * u.chunk).min(u.data.len())];
        let r = http
            .put(format!("{base}/chunks/{i}"))
            .bearer_auth(&u.sender_token)
            .header("x-chunk-sha256", sha_hex(c))
            .body(c.to_vec())
            .send()
            .await?;
        if !r.status().is_success() {
            bail!("chunk {i}: {}", r.text().await?);
        }
        u.acked.insert(i);
    }
    Ok(())
}

/// `failover`: see the module docs. `media` is a WebM file to record.
#[allow(clippy::too_many_arguments)]
pub async fn failover(
    cli: &Cli,
    url_b: &str,
    kill_pid: u32,
    transfers: usize,
    kib: usize,
    chunk_kib: usize,
    media: &std::path::Path,
) -> anyhow::Result<()> {
    let run = now_ns() % 1_000_000_007;
    let http = reqwest::Client::new();
    let chunk = chunk_kib * 1024;
    // Everyone joins through A and stays connected.
    let mut sockets = Vec::new();
    let mut uploads = Vec::new();
    for t in 0..transfers {
        let room = format!("fo-{run}-{t}");
        let (s, r) = (format!("s{t}"), format!("r{t}"));
        let (st, rt) = (token(cli, &s)?, token(cli, &r)?);
        for tok in [&st, &rt] {
            let mut ws = open(&cli.url, &room, tok, None).await?;
            ws.next().await;
            sockets.push((room.clone(), tok.clone(), ws));
        }
        let data: Vec<u8> = (0..kib * 1024)
            .map(|i| ((i * 31 + t * 7) % 251) as u8)
            .collect();
        let offer: Value = http
            .post(format!("{}/webrtc/rooms/{room}/file-transfer/offer", cli.url))
            .bearer_auth(&st)
            .json(&json!({"receiver": r, "file_name": "f.bin", "file_size": data.len(), "sha256": sha_hex(&data), "chunk_size": chunk}))
            .send()
            .await?
            .json()
            .await?;
        let id = offer["transfer_id"]
            .as_str()
            .with_context(|| format!("offer: {offer}"))?
            .to_owned();
        // The server takes chunks only after the receiver accepted.
        let r = http
            .post(format!(
                "{}/webrtc/rooms/{room}/file-transfer/{id}/accept",
                cli.url
            ))
            .bearer_auth(&rt)
            .send()
            .await?;
        if !r.status().is_success() {
            bail!("accept: {}", r.text().await?);
        }
        uploads.push(Upload {
            room,
            sender_token: st,
            receiver_token: rt,
            id,
            data,
            chunk,
            acked: BTreeSet::new(),
        });
    }
    // The recording: the host of its own room uploads through A.
    let rec_room = format!("fo-{run}-rec");
    let host = token(cli, "host")?;
    let mut hws = open(&cli.url, &rec_room, &host, None).await?;
    hws.next().await;
    sockets.push((rec_room.clone(), host.clone(), hws));
    let rec: Value = http
        .post(format!(
            "{}/webrtc/rooms/{rec_room}/recordings/start",
            cli.url
        ))
        .bearer_auth(&host)
        .json(&json!({"format": "webm", "quality": "medium"}))
        .send()
        .await?
        .json()
        .await?;
    let rec_id = rec["recording_id"]
        .as_str()
        .with_context(|| format!("start: {rec}"))?
        .to_owned();
    let media = std::fs::read(media).context("reading the media file")?;
    let media_chunks: Vec<&[u8]> = media.chunks(16 * 1024).collect();
    let rec_base = |url: &str| format!("{url}/webrtc/rooms/{rec_room}/recordings/{rec_id}");
    let mut rec_acked = BTreeSet::new();

    // Half of everything through A.
    for u in &mut uploads {
        let n = u.data.len().div_ceil(u.chunk);
        put_chunks(&http, &cli.url, u, 0..n / 2).await?;
    }
    for (i, c) in media_chunks.iter().enumerate().take(media_chunks.len() / 2) {
        let r = http
            .put(format!("{}/chunks/{i}", rec_base(&cli.url)))
            .bearer_auth(&host)
            .body(c.to_vec())
            .send()
            .await?;
        if !r.status().is_success() {
            bail!("recording chunk {i}: {}", r.text().await?);
        }
        rec_acked.insert(i);
    }
    let acked_before: usize =
        uploads.iter().map(|u| u.acked.len()).sum::<usize>() + rec_acked.len();
    println!(
        "failover: {acked_before} chunks acknowledged by A ({} transfers of {kib} KiB, {} recording chunks); SIGKILL A",
        transfers,
        rec_acked.len()
    );
    let killed = Instant::now();
    std::process::Command::new("kill")
        .args(["-9", &kill_pid.to_string()])
        .status()?;

    // Every client notices and reconnects to B, resuming its seat.
    let mut resumed = 0;
    for (room, tok, mut ws) in sockets {
        while let Ok(Some(Ok(_))) = tokio::time::timeout(Duration::from_secs(5), ws.next()).await {}
        let mut ws = open(url_b, &room, tok.as_str(), Some(0)).await?;
        if let Some(Ok(Message::Text(t))) = ws.next().await
            && (t.contains("reconnection-detected")
                || t.contains("resync-required")
                || t.contains("room-state"))
        {
            resumed += 1;
        }
        drop(ws);
    }
    println!(
        "failover: {resumed} clients back on B {:.1}s after the kill",
        killed.elapsed().as_secs_f64()
    );

    // Nothing A acknowledged is missing on B; the rest goes through B.
    let mut lost = 0;
    for u in &mut uploads {
        let m: Value = http
            .get(format!(
                "{url_b}/webrtc/rooms/{}/file-transfer/{}/missing",
                u.room, u.id
            ))
            .bearer_auth(&u.sender_token)
            .send()
            .await?
            .json()
            .await?;
        let missing: BTreeSet<usize> = m["missing"]
            .as_array()
            .context("missing")?
            .iter()
            .filter_map(|v| v.as_u64())
            .map(|v| v as usize)
            .collect();
        lost += u.acked.intersection(&missing).count();
        let todo: Vec<usize> = missing.into_iter().collect();
        put_chunks(&http, url_b, u, todo.into_iter()).await?;
        let got = http
            .get(format!(
                "{url_b}/webrtc/rooms/{}/file-transfer/{}/download",
                u.room, u.id
            ))
            .bearer_auth(&u.receiver_token)
            .send()
            .await?
            .bytes()
            .await?;
        if sha_hex(&got) != sha_hex(&u.data) {
            bail!("transfer {} downloaded different bytes", u.id);
        }
    }
    let status: Value = http
        .get(format!("{}/upload-status", rec_base(url_b)))
        .bearer_auth(&host)
        .send()
        .await?
        .json()
        .await?;
    let have: BTreeSet<usize> = status["participants"]["host"]["sequences"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_u64())
                .map(|v| v as usize)
                .collect()
        })
        .unwrap_or_default();
    lost += rec_acked.difference(&have).count();
    for (i, c) in media_chunks.iter().enumerate().skip(media_chunks.len() / 2) {
        let r = http
            .put(format!("{}/chunks/{i}", rec_base(url_b)))
            .bearer_auth(&host)
            .body(c.to_vec())
            .send()
            .await?;
        if !r.status().is_success() {
            bail!("recording chunk {i} on B: {}", r.text().await?);
        }
    }
    http.post(format!("{}/stop", rec_base(url_b)))
        .bearer_auth(&host)
        .send()
        .await?;
    let mut done = Value::Null;
    for _ in 0..240 {
        done = http
            .get(format!("{}/status", rec_base(url_b)))
            .bearer_auth(&host)
            .send()
            .await?
            .json()
            .await?;
        if matches!(done["status"].as_str(), Some("completed" | "failed")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    println!(
        "failover: {lost} acknowledged chunks lost; {transfers} transfers completed on B with SHA-256 verified; recording {} on B ({} outputs)",
        done["status"],
        done["outputs"].as_array().map(|a| a.len()).unwrap_or(0)
    );
    if lost > 0 || done["status"] != "completed" {
        bail!(
            "failover lost data: {lost} chunks, recording {}",
            done["status"]
        );
    }
    Ok(())
}

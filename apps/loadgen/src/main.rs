//! `loadgen`: drives a running rtc-server and prints what it measured.
//!
//! - `relay`: pairs of connections, each in its own room, relaying
//!   `ice-candidate` messages of a chosen size at full rate with a bounded
//!   window in flight; delivered messages/s and latency percentiles from a
//!   timestamp carried in the payload; server CPU and RSS from /proc.
//! - `transfer`: one file through the chunk API, upload then download,
//!   MiB/s each way, SHA-256 checked.
//! - `hold`, `steady`, `failover`: soak and chaos (see `reliability.rs`).
//! - `media`: the SFU forwarding VP8 and Opus from publishers to
//!   subscribers, all str0m peers (see `media.rs`).

mod bench;
mod media;
mod reliability;

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, bail};
use clap::{Parser, Subcommand};
use sha2::{Digest as _, Sha256};

#[derive(Parser)]
#[command(name = "loadgen", about = "Load generator for rtc-server")]
struct Cli {
    /// Server base URL.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    /// The server's HS256 secret, to mint tokens.
    #[arg(long, env = "RTC_JWT_SECRET")]
    secret: String,
    /// The server's PID, to report its CPU time and RSS.
    #[arg(long)]
    server_pid: Option<u32>,
    #[command(subcommand)]
    scenario: Scenario,
}

#[derive(Subcommand)]
enum Scenario {
    /// Publishers sending VP8 and Opus from files through the SFU to
    /// subscribers in one room (the server's rooms must be in SFU mode).
    Media {
        /// VP8 frames (IVF).
        #[arg(long)]
        ivf: std::path::PathBuf,
        /// Opus packets (Ogg).
        #[arg(long)]
        ogg: std::path::PathBuf,
        /// Publishers (each one video and one audio track).
        #[arg(long, default_value_t = 1)]
        pubs: usize,
        /// Subscribers (each receives every publisher's tracks).
        #[arg(long, default_value_t = 10)]
        subs: usize,
        /// Seconds to measure.
        #[arg(long, default_value_t = 10)]
        secs: u64,
        /// A name for the printed line.
        #[arg(long, default_value = "fanout")]
        label: String,
    },
    /// Pairs relaying messages at full rate (or at --rate).
    Relay {
        /// Which server protocol.
        #[arg(long, value_enum, default_value = "rtc")]
        protocol: bench::Proto,
        /// Other instances of a cluster, comma separated. With one, every
        /// receiver connects there (senders on --url); with two or more,
        /// pair p's sender is on instance p mod n and its receiver on the
        /// next, so every relay crosses instances and each instance sends
        /// and receives alike.
        #[arg(long, value_delimiter = ',')]
        url_b: Vec<String>,
        /// Messages per second per pair instead of a full-rate window.
        #[arg(long)]
        rate: Option<u64>,
        /// Connections (two per pair).
        #[arg(long, default_value_t = 100)]
        conns: usize,
        /// Message size in bytes.
        #[arg(long, default_value_t = 200)]
        size: usize,
        /// Seconds to run.
        #[arg(long, default_value_t = 10)]
        secs: u64,
        /// Messages in flight per pair.
        #[arg(long, default_value_t = 32)]
        window: u64,
    },
    /// How long a join takes to become visible on another instance: a
    /// watcher in the room on --url-b, then a joiner on --url; from the
    /// joiner's connect to the watcher's `user-joined`.
    Visibility {
        /// The instance the watchers are on.
        #[arg(long)]
        url_b: String,
        /// Joins to time (one room each).
        #[arg(long, default_value_t = 200)]
        joins: usize,
    },
    /// Idle connections: connects/s, server CPU, RSS per connection.
    Idle {
        /// Which server protocol.
        #[arg(long, value_enum, default_value = "rtc")]
        protocol: bench::Proto,
        /// Connections.
        #[arg(long, default_value_t = 10_000)]
        conns: usize,
        /// Seconds to hold them before measuring.
        #[arg(long, default_value_t = 2)]
        hold_secs: u64,
        /// Connections per room (rtc; 1: each in its own room).
        #[arg(long, default_value_t = 1)]
        per_room: usize,
    },
    /// Rooms chatting: delivery latency to every member.
    Broadcast {
        /// Rooms.
        #[arg(long, default_value_t = 20)]
        rooms: usize,
        /// Participants per room.
        #[arg(long, default_value_t = 50)]
        size: usize,
        /// Milliseconds between one participant's messages.
        #[arg(long, default_value_t = 2000)]
        every_ms: u64,
        /// Seconds to run.
        #[arg(long, default_value_t = 10)]
        secs: u64,
    },
    /// Connections held open and pinging; any error fails the run.
    Hold {
        /// Connections.
        #[arg(long, default_value_t = 10_000)]
        conns: usize,
        /// Participants per room.
        #[arg(long, default_value_t = 20)]
        room_size: usize,
        /// Seconds to hold them.
        #[arg(long, default_value_t = 60)]
        secs: u64,
        /// Seconds between a connection's pings.
        #[arg(long, default_value_t = 15)]
        ping_every: u64,
    },
    /// Senders on --url, receivers on --url-b, at a fixed rate, per second.
    Steady {
        /// The second instance.
        #[arg(long)]
        url_b: String,
        /// Sender/receiver pairs.
        #[arg(long, default_value_t = 20)]
        pairs: usize,
        /// Messages per second per pair.
        #[arg(long, default_value_t = 50)]
        rate: u64,
        /// Seconds to run.
        #[arg(long, default_value_t = 20)]
        secs: u64,
    },
    /// Transfers and a recording through --url, killed half way; finish on --url-b.
    Failover {
        /// The surviving instance.
        #[arg(long)]
        url_b: String,
        /// PID of the --url instance, killed with SIGKILL.
        #[arg(long)]
        kill_pid: u32,
        /// Concurrent transfers.
        #[arg(long, default_value_t = 8)]
        transfers: usize,
        /// File size in KiB.
        #[arg(long, default_value_t = 4096)]
        kib: usize,
        /// Chunk size in KiB.
        #[arg(long, default_value_t = 256)]
        chunk_kib: usize,
        /// A WebM file to record.
        #[arg(long)]
        media: std::path::PathBuf,
    },
    /// One file up and down through the chunk API.
    Transfer {
        /// File size in MiB.
        #[arg(long, default_value_t = 100)]
        mib: usize,
        /// Chunk size in KiB.
        #[arg(long, default_value_t = 1024)]
        chunk_kib: usize,
    },
}

/// Hex SHA-256.
fn sha_hex(b: &[u8]) -> String {
    Sha256::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_nanos() as u64
}

pub(crate) struct ProcSample {
    cpu_ticks: u64,
    rss_kib: u64,
    /// Time the hypervisor gave this VM's CPUs to others (all CPUs, in
    /// clock ticks, from /proc/stat): a run with much of it has stalls
    /// that no server caused.
    steal_ticks: u64,
}

fn sample(pid: Option<u32>) -> Option<ProcSample> {
    let pid = pid?;
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = after.split_whitespace().collect();
    let cpu_ticks = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let rss_kib = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    let steal_ticks = std::fs::read_to_string("/proc/stat")
        .ok()
        .and_then(|s| {
            let cpu = s.lines().find(|l| l.starts_with("cpu "))?.to_owned();
            cpu.split_whitespace().nth(8)?.parse().ok()
        })
        .unwrap_or(0);
    Some(ProcSample {
        cpu_ticks,
        rss_kib,
        steal_ticks,
    })
}

fn pct(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(cli: &Cli, room: &str, user: &str) -> anyhow::Result<Ws> {
    bench::Proto::Rtc.connect(cli, &cli.url, room, user).await
}

async fn transfer(cli: &Cli, mib: usize, chunk_kib: usize) -> anyhow::Result<()> {
    let run = format!("xfer-{}", now_ns() % 1_000_000_007);
    let _a = connect(cli, &run, "sender").await?;
    let _b = connect(cli, &run, "receiver").await?;
    let (ts, tr) = (
        reliability::token(cli, "sender")?,
        reliability::token(cli, "receiver")?,
    );
    let size = mib * 1024 * 1024;
    let data: Vec<u8> = (0..size)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let sha = |b: &[u8]| -> String {
        Sha256::digest(b)
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect()
    };
    // The untimed setup (offer, accept) goes through the client crate; the
    // timed upload and download below stay raw, so the figures measure the
    // server and not the crate's per-call work.
    let sender = rtc_client::RestClient::new(&cli.url, &run, &ts)?;
    let receiver = rtc_client::RestClient::new(&cli.url, &run, &tr)?;
    let id = sender
        .offer_file(
            "receiver",
            "bench.bin",
            &data,
            Some((chunk_kib * 1024) as u64),
        )
        .await
        .context("offer failed")?
        .transfer_id;
    receiver.accept_transfer(&id).await?;
    let http = reqwest::Client::new();
    let base = format!("{}/webrtc/rooms/{run}/file-transfer", cli.url);
    let chunk = chunk_kib * 1024;
    let hashes: Vec<String> = data.chunks(chunk).map(sha).collect();
    let before = sample(cli.server_pid);
    let t = Instant::now();
    for (i, c) in data.chunks(chunk).enumerate() {
        let r = http
            .put(format!("{base}/{id}/chunks/{i}"))
            .bearer_auth(&ts)
            .header("x-chunk-sha256", &hashes[i])
            .body(c.to_vec())
            .send()
            .await?;
        if !r.status().is_success() {
            bail!("chunk {i}: {}", r.text().await?);
        }
    }
    let up = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let got = http
        .get(format!("{base}/{id}/download"))
        .bearer_auth(&tr)
        .send()
        .await?
        .bytes()
        .await?;
    let down = t.elapsed().as_secs_f64();
    if sha(&got) != sha(&data) {
        bail!("downloaded bytes differ");
    }
    println!(
        "transfer {mib} MiB in {chunk_kib} KiB chunks: upload {:.1} MiB/s, download {:.1} MiB/s, SHA-256 verified",
        mib as f64 / up,
        mib as f64 / down
    );
    if let (Some(b), Some(a)) = (before, sample(cli.server_pid)) {
        println!(
            "server: cpu={:.2}s rss={} KiB",
            (a.cpu_ticks - b.cpu_ticks) as f64 / 100.0,
            a.rss_kib
        );
    }
    Ok(())
}

// One thread: the benchmark pins the generator to one core.
#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.scenario {
        Scenario::Relay {
            protocol,
            ref url_b,
            rate,
            conns,
            size,
            secs,
            window,
        } => bench::relay(&cli, protocol, url_b, conns, size, secs, window, rate).await,
        Scenario::Idle {
            protocol,
            conns,
            hold_secs,
            per_room,
        } => bench::idle(&cli, protocol, conns, hold_secs, per_room).await,
        Scenario::Broadcast {
            rooms,
            size,
            every_ms,
            secs,
        } => bench::broadcast(&cli, rooms, size, every_ms, secs).await,
        Scenario::Transfer { mib, chunk_kib } => transfer(&cli, mib, chunk_kib).await,
        Scenario::Visibility { ref url_b, joins } => bench::visibility(&cli, url_b, joins).await,
        Scenario::Hold {
            conns,
            room_size,
            secs,
            ping_every,
        } => reliability::hold(&cli, conns, room_size, secs, ping_every).await,
        Scenario::Steady {
            ref url_b,
            pairs,
            rate,
            secs,
        } => reliability::steady(&cli, url_b, pairs, rate, secs).await,
        Scenario::Failover {
            ref url_b,
            kill_pid,
            transfers,
            kib,
            chunk_kib,
            ref media,
        } => reliability::failover(&cli, url_b, kill_pid, transfers, kib, chunk_kib, media).await,
        Scenario::Media {
            ref ivf,
            ref ogg,
            pubs,
            subs,
            secs,
            ref label,
        } => media::run(&cli, media::Clip::load(ivf, ogg)?, pubs, subs, secs, label).await,
    }
}

//! `bare-relay`: the floor for the signaling benchmark. A client connects
//! to `ws://host:port/?id=<id>`; every text frame whose JSON has
//! `"target":"<id>"` is forwarded unchanged to that client. No token, no
//! parsing beyond finding the target, no rooms: what a relay costs when it
//! does nothing else. One thread (the benchmark pins it to one core), a
//! small read buffer like the server's.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures_util::{SinkExt as _, StreamExt as _};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

type Peers = Arc<Mutex<HashMap<String, mpsc::UnboundedSender<Message>>>>;

fn target(text: &str) -> Option<&str> {
    let i = text.find("\"target\":\"")? + 10;
    let rest = &text[i..];
    Some(&rest[..rest.find('"')?])
}

// The handshake callback's error type is tungstenite's, not ours.
#[allow(clippy::result_large_err)]
fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:9100".into());
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(async move {
            let listener = TcpListener::bind(&addr).await?;
            println!("bare-relay listening on {}", listener.local_addr()?);
            let peers: Peers = Arc::default();
            loop {
                let (tcp, _) = listener.accept().await?;
                let _ = tcp.set_nodelay(true);
                let peers = peers.clone();
                tokio::spawn(async move {
                    let mut id = String::new();
                    let cfg = WebSocketConfig::default().read_buffer_size(4096);
                    let ws = tokio_tungstenite::accept_hdr_async_with_config(
                        tcp,
                        |req: &Request, resp: Response| {
                            id = req
                                .uri()
                                .query()
                                .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("id=")))
                                .unwrap_or_default()
                                .to_owned();
                            Ok(resp)
                        },
                        Some(cfg),
                    )
                    .await;
                    let Ok(ws) = ws else { return };
                    let (mut tx, mut rx) = ws.split();
                    let (out, mut inbox) = mpsc::unbounded_channel::<Message>();
                    peers.lock().unwrap().insert(id.clone(), out);
                    // Write what is queued in one batch, then flush once.
                    let writer = tokio::spawn(async move {
                        while let Some(m) = inbox.recv().await {
                            if tx.feed(m).await.is_err() {
                                break;
                            }
                            while let Ok(m) = inbox.try_recv() {
                                if tx.feed(m).await.is_err() {
                                    return;
                                }
                            }
                            if tx.flush().await.is_err() {
                                break;
                            }
                        }
                    });
                    while let Some(Ok(m)) = rx.next().await {
                        if let Message::Text(t) = &m
                            && let Some(to) = target(t)
                            && let Some(p) = peers.lock().unwrap().get(to)
                        {
                            let _ = p.send(m.clone());
                        }
                    }
                    peers.lock().unwrap().remove(&id);
                    writer.abort();
                });
            }
        })
}

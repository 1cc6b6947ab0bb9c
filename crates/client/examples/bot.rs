//! A bot that joins a room, answers chat and sends a file on request.
//!
//! ```text
//! RTC_URL=http://127.0.0.1:8080 RTC_ROOM=standup cargo run -p rtc-client --example bot
//! ```
//!
//! With `RTC_TOKEN` unset the bot asks the server for a development token
//! (`POST /webrtc/dev/token`, only while `RTC_DEV_TOKENS` is on). In the
//! room, every chat message gets an answer; `!file` makes the bot offer the
//! asker a small text file through the server and upload it once accepted.

use std::time::Duration;

use rtc_client::protocol::{ChatSend, UserId};
use rtc_client::{Client, ClientMessage, Event, RestClient, ServerMessage};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let base = std::env::var("RTC_URL").unwrap_or_else(|_| "http://127.0.0.1:8080".into());
    let room = std::env::var("RTC_ROOM").unwrap_or_else(|_| "lobby".into());
    let token = match std::env::var("RTC_TOKEN") {
        Ok(t) => t,
        Err(_) => dev_token(&base, &room).await?,
    };
    let mut client = Client::connect(&base, &room, &token).await?;
    let mut me = String::new();
    while let Some(event) = client.next_event().await {
        match event {
            Event::Message(ServerMessage::RoomState(state)) => {
                me = state.you.clone();
                println!(
                    "joined {room} as {me} with {} others",
                    state.participants.len() - 1
                );
            }
            Event::Message(ServerMessage::ChatMessage(chat)) if chat.from != me => {
                println!("{}: {}", chat.from_name, chat.message);
                if chat.message.trim() == "!file" {
                    // Upload in the background: the event loop keeps answering.
                    tokio::spawn(send_file(client.rest().clone(), chat.from.clone()));
                    reply(
                        &client,
                        &chat.from,
                        "offering you a file; accept it to receive it",
                    )?;
                } else {
                    let text = format!(
                        "you said {:?} ({} chars)",
                        chat.message,
                        chat.message.chars().count()
                    );
                    reply(&client, &chat.from, &text)?;
                }
            }
            Event::Reconnecting { attempt, .. } => {
                println!("connection lost, reconnecting ({attempt})")
            }
            Event::Message(ServerMessage::ReconnectionDetected {
                missed_message_count,
                ..
            }) => {
                println!("resumed; {missed_message_count} missed message(s) follow")
            }
            Event::Closed { code, reason } => {
                println!("closed ({code:?}): {reason}");
                break;
            }
            _ => {}
        }
    }
    Ok(())
}

/// A private answer to `to`, as a typed protocol message.
fn reply(client: &Client, to: &str, text: &str) -> Result<(), Box<dyn std::error::Error>> {
    client.send(&ClientMessage::ChatMessage(ChatSend {
        message: text.to_owned(),
        to: Some(UserId::parse(to)?),
        reply_to: None,
    }))?;
    Ok(())
}

/// Offers `to` a file, waits for the accept and uploads it chunk by chunk.
async fn send_file(rest: RestClient, to: String) {
    let bytes: Vec<u8> = (0..200_000u32)
        .flat_map(|i| format!("line {i}\n").into_bytes())
        .collect();
    match rest
        .send_file(&to, "lines.txt", &bytes, Duration::from_secs(120))
        .await
    {
        Ok(t) => println!(
            "sent {} ({} bytes) to {to}: {}",
            t.file_name, t.file_size, t.state
        ),
        Err(e) => println!("could not send the file to {to}: {e}"),
    }
}

/// A development token from the server (only while `RTC_DEV_TOKENS` is on).
async fn dev_token(base: &str, room: &str) -> Result<String, Box<dyn std::error::Error>> {
    let answer: serde_json::Value = reqwest::Client::new()
        .post(format!("{base}/webrtc/dev/token"))
        .json(&serde_json::json!({"name": "bot", "room": room}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(answer["token"]
        .as_str()
        .ok_or("no token in the answer")?
        .to_owned())
}

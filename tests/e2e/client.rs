//! The Rust client crate (`rtc-client`) against the real server: join, chat
//! both ways and its history, files through the server both ways with their
//! SHA-256 (and an interrupted upload resumed from `/missing`), resume after
//! a drop with nothing twice, a goodbye, a recording chunk upload.

use std::time::Duration;

use rtc_client::protocol::{ErrorCode, Format, LeaveReason, RecordingStatus, RoomStateView};
use rtc_client::{Client, Error, Event, ServerMessage, sha256_hex};

use crate::support::*;

const WAIT: Duration = Duration::from_secs(5);

async fn joined(c: &mut Client) -> RoomStateView {
    c.wait_for(WAIT, |m| match m {
        ServerMessage::RoomState(s) => Some(s),
        _ => None,
    })
    .await
    .expect("room-state")
}

async fn chat_text(c: &mut Client) -> (String, String) {
    c.wait_for(WAIT, |m| match m {
        ServerMessage::ChatMessage(r) => Some((r.from, r.message)),
        _ => None,
    })
    .await
    .expect("a chat message")
}

fn data(n: usize, seed: u8) -> Vec<u8> {
    (0..n)
        .map(|i| ((i * 31 + seed as usize) % 251) as u8)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_joins_and_chats_both_ways_with_history() {
    let s = spawn();
    let mut alice = s.rtc_client("rc-chat", "alice").await;
    let state = joined(&mut alice).await;
    assert_eq!(state.you, "alice");
    assert_eq!(alice.user_id().as_deref(), Some("alice"));
    let mut bob = s.rtc_client("rc-chat", "bob").await;
    joined(&mut bob).await;
    let p = alice
        .wait_for(WAIT, |m| match m {
            ServerMessage::UserJoined { participant } => Some(participant),
            _ => None,
        })
        .await
        .unwrap();
    assert_eq!(p.user_id.as_str(), "bob");

    alice.send_chat("hello <b>bob</b>", None).unwrap();
    let (from, text) = chat_text(&mut bob).await;
    assert_eq!(from, "alice");
    assert_eq!(
        text, "hello &lt;b&gt;bob&lt;/b&gt;",
        "markup escaped by the server"
    );
    // The sender gets its own message back, as the room saw it.
    assert_eq!(chat_text(&mut alice).await, ("alice".into(), text));
    bob.send_chat("hi alice, privately", Some("alice")).unwrap();
    assert_eq!(
        chat_text(&mut alice).await,
        ("bob".into(), "hi alice, privately".into())
    );

    // History, paged two by one, newest first.
    let all = alice.rest().chat_history_all(1).await.unwrap();
    let texts: Vec<&str> = all.iter().map(|m| m.message.as_str()).collect();
    assert_eq!(
        texts,
        ["hi alice, privately", "hello &lt;b&gt;bob&lt;/b&gt;"]
    );
    let page = alice.rest().chat_history(Some(1), None).await.unwrap();
    assert_eq!(page.messages.len(), 1);
    assert!(page.next_cursor.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_refused_token_names_its_code() {
    let s = spawn();
    let err = Client::connect(&s.http(""), "rc-refused", "not-a-jwt")
        .await
        .err()
        .expect("refused");
    assert_eq!(err.code(), Some(ErrorCode::InvalidToken), "{err}");
    // REST with a token for another room: the server's code comes back.
    let t = token("carol", Some("elsewhere"), None);
    let rest = rtc_client::RestClient::new(&s.http(""), "rc-refused", &t).unwrap();
    let err = rest.chat_history(None, None).await.unwrap_err();
    assert!(matches!(err, Error::Api { status: 403, .. }), "{err}");
    assert!(err.code().is_some(), "a known code: {err}");
}

/// `receiver` accepts the next file offered to it and returns its id.
async fn accept_next_offer(receiver: &mut Client) -> String {
    let id = receiver
        .wait_for(WAIT, |m| match m {
            ServerMessage::FileShareOffer(o) => Some(o.transfer_id),
            _ => None,
        })
        .await
        .expect("file-share-offer");
    receiver.rest().accept_transfer(&id).await.unwrap();
    id
}

async fn wait_complete(c: &mut Client, id: &str) {
    let id = id.to_owned();
    c.wait_for(WAIT, |m| match m {
        ServerMessage::FileShareComplete(f) if f.transfer_id == id => Some(()),
        _ => None,
    })
    .await
    .expect("file-share-complete");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_sends_files_through_the_server_both_ways_with_sha256() {
    let s = spawn();
    let mut alice = s.rtc_client("rc-files", "alice").await;
    joined(&mut alice).await;
    let mut bob = s.rtc_client("rc-files", "bob").await;
    joined(&mut bob).await;

    // alice -> bob: offer, wait for the accept, upload, download, verify.
    let file = data(300_000, 3);
    let rest = alice.rest().clone();
    let upload = {
        let file = file.clone();
        tokio::spawn(async move { rest.send_file("bob", "a.bin", &file, WAIT).await })
    };
    let id = accept_next_offer(&mut bob).await;
    let sent = upload.await.unwrap().unwrap();
    assert_eq!(
        (sent.transfer_id.as_str(), sent.state.as_str()),
        (id.as_str(), "completed")
    );
    assert_eq!(sent.sha256.as_deref(), Some(sha256_hex(&file).as_str()));
    wait_complete(&mut bob, &id).await;
    assert_eq!(bob.rest().download_file(&id).await.unwrap(), file);

    // bob -> alice, interrupted after two chunks and resumed from /missing.
    let file = data(200_000, 9);
    let offered = bob
        .rest()
        .offer_file("alice", "b.bin", &file, Some(65_536))
        .await
        .unwrap();
    assert_eq!(offered.total_chunks, 4);
    assert_eq!(accept_next_offer(&mut alice).await, offered.transfer_id);
    let t = bob
        .rest()
        .wait_for_accept(&offered.transfer_id, WAIT)
        .await
        .unwrap();
    assert_eq!(t.state, "active");
    for i in [0u64, 2] {
        let start = i as usize * 65_536;
        let ack = bob
            .rest()
            .upload_chunk(&offered.transfer_id, i, &file[start..start + 65_536])
            .await
            .unwrap();
        assert!(!ack.duplicate);
    }
    let missing = bob
        .rest()
        .missing_chunks(&offered.transfer_id)
        .await
        .unwrap();
    assert_eq!(missing.missing, [1, 3]);
    let last = bob
        .rest()
        .resume_upload(&offered.transfer_id, &file)
        .await
        .unwrap()
        .expect("two chunks were missing");
    assert_eq!(
        (last.received_chunks, last.state.as_str()),
        (4, "completed")
    );
    wait_complete(&mut alice, &offered.transfer_id).await;
    assert_eq!(
        alice
            .rest()
            .download_file(&offered.transfer_id)
            .await
            .unwrap(),
        file
    );
    // A declined offer ends the sender's wait.
    let offered = alice
        .rest()
        .offer_file("bob", "c.bin", b"no thanks", None)
        .await
        .unwrap();
    bob.rest()
        .reject_transfer(&offered.transfer_id)
        .await
        .unwrap();
    let err = alice
        .rest()
        .wait_for_accept(&offered.transfer_id, WAIT)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::TransferEnded { ref state, .. } if state == "rejected"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_resumes_after_a_drop_with_each_missed_message_once() {
    let s = spawn();
    // Back after 1.5 s: long enough for the messages below to be missed.
    let slow =
        |o: rtc_client::Options| o.backoff(Duration::from_millis(1500), Duration::from_secs(2));
    let mut alice = s.rtc_client_with("rc-drop", "alice", slow).await;
    joined(&mut alice).await;
    let mut bob = s.rtc_client("rc-drop", "bob").await;
    joined(&mut bob).await;
    bob.send_chat("before", None).unwrap();
    assert_eq!(chat_text(&mut alice).await.1, "before");

    alice.simulate_drop().unwrap();
    bob.wait_for(WAIT, |m| match m {
        ServerMessage::ParticipantReconnecting { user_id } if user_id == "alice" => Some(()),
        _ => None,
    })
    .await
    .expect("the server saw the drop");
    for i in 0..3 {
        bob.send_chat(&format!("missed {i}"), None).unwrap();
    }
    // Wait until alice is back (bob is told she joined again), then one live message.
    bob.wait_for(WAIT, |m| match m {
        ServerMessage::UserJoined { participant } if participant.user_id.as_str() == "alice" => {
            Some(())
        }
        _ => None,
    })
    .await
    .expect("alice is back");
    bob.send_chat("live", None).unwrap();

    let mut seen = Vec::new();
    let mut missed = None;
    let mut reconnecting = false;
    while seen.last().map(String::as_str) != Some("live") {
        let e = tokio::time::timeout(WAIT, alice.next_event())
            .await
            .expect("events within 5 s")
            .expect("open");
        match e {
            Event::Reconnecting { .. } => reconnecting = true,
            Event::Message(ServerMessage::ReconnectionDetected {
                missed_message_count,
                ..
            }) => missed = Some(missed_message_count),
            Event::Message(ServerMessage::ChatMessage(r)) => seen.push(r.message),
            _ => {}
        }
    }
    assert!(reconnecting);
    assert!(
        missed.is_some_and(|n| n >= 3),
        "resumed with a replay: {missed:?}"
    );
    assert_eq!(seen, ["missed 0", "missed 1", "missed 2", "live"]);
    // Still one seat: bob sees alice once.
    let (_, people) = s.get("/webrtc/rooms/rc-drop/participants", "bob").await;
    assert_eq!(people["count"], 2, "{people}");

    // A goodbye leaves at once and does not come back.
    alice.close().await;
    let reason = bob
        .wait_for(WAIT, |m| match m {
            ServerMessage::UserLeft { user_id, reason } if user_id == "alice" => Some(reason),
            _ => None,
        })
        .await
        .unwrap();
    assert_eq!(reason, LeaveReason::Left);
    tokio::time::sleep(Duration::from_millis(800)).await;
    let (_, people) = s.get("/webrtc/rooms/rc-drop/participants", "bob").await;
    assert_eq!(people["count"], 1, "no reconnect after a goodbye: {people}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_records_a_chunk() {
    let s = spawn();
    let mut host = s.rtc_client("rc-rec", "host").await;
    joined(&mut host).await;
    let mut bob = s.rtc_client("rc-rec", "bob").await;
    joined(&mut bob).await;
    let rec = host
        .rest()
        .start_recording(Some(Format::Webm), None)
        .await
        .unwrap();
    let id = rec.recording.recording_id.clone();
    let started = bob
        .wait_for(WAIT, |m| match m {
            ServerMessage::RecordingStarted { recording } => Some(recording),
            _ => None,
        })
        .await
        .unwrap();
    assert_eq!(started.recording.recording_id, id);
    // A WebM's EBML magic, then anything.
    let chunk = [&[0x1a, 0x45, 0xdf, 0xa3][..], &data(5_000, 1)].concat();
    let ack = host
        .rest()
        .upload_recording_chunk(&id, 0, &chunk)
        .await
        .unwrap();
    assert_eq!((ack.sequence, ack.duplicate), (0, false));
    let again = host
        .rest()
        .upload_recording_chunk(&id, 0, &chunk)
        .await
        .unwrap();
    assert!(again.duplicate);
    let up = host.rest().recording_upload_status(&id).await.unwrap();
    assert_eq!(up["participants"]["host"]["chunks"], 1, "{up}");
    assert_eq!(up["participants"]["host"]["bytes"], chunk.len(), "{up}");
    let status = host.rest().recording_status(&id).await.unwrap();
    assert_eq!(status.recording.status, RecordingStatus::Recording);
    // Other bytes under the same number are refused with the server's code.
    let err = host
        .rest()
        .upload_recording_chunk(&id, 0, b"other bytes")
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::InvalidChunk), "{err}");
    let cancelled = host.rest().cancel_recording(&id).await.unwrap();
    assert_eq!(cancelled.recording.status, RecordingStatus::Cancelled);
}

//! Chat end to end: history, threads, search, edits and deletes,
//! reactions and read receipts, each under the privacy rules of
//! docs/security.md (private and breakout messages stay with those who
//! could receive them live).

use std::time::Duration;

use serde_json::{Value, json};

use crate::support::*;

fn code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("")
}

/// Ann, Ben and Cat in `room`, each past its `room-state`.
async fn trio(srv: &TestServer, room: &str) -> (Client, Client, Client) {
    let mut out = Vec::new();
    for user in ["ann", "ben", "cat"] {
        let mut c = srv.connect(room, user).await;
        c.expect("room-state").await;
        out.push(c);
    }
    let c = out.pop().unwrap();
    let b = out.pop().unwrap();
    (out.pop().unwrap(), b, c)
}

/// Messages of a chat history page as `from: text`.
async fn history(srv: &TestServer, room: &str, user: &str) -> Vec<String> {
    let (s, page) = srv.get(&format!("/webrtc/rooms/{room}/chat"), user).await;
    assert_eq!(s, 200, "{page}");
    let mut v: Vec<String> = page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            format!(
                "{}: {}",
                m["from"].as_str().unwrap(),
                m["message"].as_str().unwrap()
            )
        })
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn chat_history_returns_only_what_the_caller_could_receive_live() {
    let srv = spawn();
    let room = "sec-chat";
    let mut host = srv.connect(room, "host").await;
    host.expect("room-state").await;
    let (mut a, mut b, mut c) = trio(&srv, room).await;
    let (s, br) = srv
        .post(
            &format!("/webrtc/rooms/{room}/breakout-rooms"),
            "host",
            json!({"name": "B"}),
        )
        .await;
    assert_eq!(s, 201, "{br}");
    let br = br["id"].as_str().unwrap().to_owned();
    let (s, _) = srv
        .post(
            &format!("/webrtc/rooms/{room}/breakout-rooms/{br}/assign/cat"),
            "host",
            json!({}),
        )
        .await;
    assert_eq!(s, 200);
    c.expect("breakout-room-assign").await;

    host.send(json!({"type": "chat-message", "message": "hello all"}))
        .await;
    a.send(json!({"type": "chat-message", "message": "psst ben", "to": "ben"}))
        .await;
    c.send(json!({"type": "chat-message", "message": "in the breakout"}))
        .await;
    b.expect("chat-message").await;
    b.expect("chat-message").await;
    c.expect("chat-message").await;

    assert_eq!(history(&srv, room, "host").await, ["host: hello all"]);
    assert_eq!(
        history(&srv, room, "ann").await,
        ["ann: psst ben", "host: hello all"]
    );
    assert_eq!(
        history(&srv, room, "ben").await,
        ["ann: psst ben", "host: hello all"]
    );
    assert_eq!(history(&srv, room, "cat").await, ["cat: in the breakout"]);
}

/// A thread is its first message and the replies naming it, read with
/// `?thread=`; a private reply in it stays between its two people.
#[tokio::test]
async fn a_thread_holds_its_replies_and_keeps_private_ones_private() {
    let srv = spawn();
    let room = "sec-thread";
    let (mut a, mut b, mut c) = trio(&srv, room).await;
    a.send(json!({"type": "chat-message", "message": "lunch?"}))
        .await;
    let root = c.expect("chat-message").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    a.send(json!({"type": "chat-message", "message": "unrelated"}))
        .await;
    c.expect("chat-message").await;
    b.send(json!({"type": "chat-message", "message": "yes", "reply_to": root}))
        .await;
    assert_eq!(c.expect("chat-message").await["reply_to"], root.as_str());
    c.send(
        json!({"type": "chat-message", "message": "not with ben", "to": "ann", "reply_to": root}),
    )
    .await;
    // Ann has her own and Ben's messages waiting too: wait for Cat's.
    while a.expect("chat-message").await["message"] != "not with ben" {}
    b.send(json!({"type": "chat-message", "message": "x", "reply_to": "../../etc"}))
        .await;
    let e = b.expect("error").await;
    assert_eq!(e["code"], "VALIDATION_ERROR", "{e}");

    let thread = |user: &'static str| {
        let (srv, root) = (&srv, root.clone());
        async move {
            let (s, page) = srv
                .get(&format!("/webrtc/rooms/{room}/chat?thread={root}"), user)
                .await;
            assert_eq!(s, 200, "{page}");
            page["messages"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| {
                    format!(
                        "{}: {}",
                        m["from"].as_str().unwrap(),
                        m["message"].as_str().unwrap()
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        thread("ann").await,
        ["cat: not with ben", "ben: yes", "ann: lunch?"]
    );
    assert_eq!(thread("ben").await, ["ben: yes", "ann: lunch?"]);
    assert_eq!(
        thread("cat").await,
        ["cat: not with ben", "ben: yes", "ann: lunch?"]
    );
}

/// Search finds text in what the caller could have received, and nothing
/// private to others; a query is text, sanitized like a message.
#[tokio::test]
async fn chat_search_finds_only_what_the_caller_may_see() {
    let srv = spawn();
    let room = "sec-search";
    let (mut a, mut b, mut c) = trio(&srv, room).await;
    for (from, text, to) in [
        (0, "Budget review at 3", None),
        (1, "the budget is secret", Some("ann")),
        (2, "<b>budget</b> & tea", None),
        (0, "nothing here", None),
    ] {
        let mut m = json!({"type": "chat-message", "message": text});
        if let Some(to) = to {
            m["to"] = json!(to);
        }
        let name = ["ann", "ben", "cat"][from];
        let sender = [&mut a, &mut b, &mut c].into_iter().nth(from).unwrap();
        sender.send(m).await;
        // Its own echo: the message is stored, so the next one is newer.
        while sender.expect("chat-message").await["from"] != name {}
    }
    let search = |user: &'static str, q: &'static str| {
        let srv = &srv;
        async move {
            let q = q
                .replace('&', "%26")
                .replace('<', "%3C")
                .replace('>', "%3E")
                .replace(' ', "%20");
            let (s, page) = srv
                .get(&format!("/webrtc/rooms/{room}/chat/search?q={q}"), user)
                .await;
            (s, page)
        }
    };
    let texts = |page: &Value| -> Vec<String> {
        page["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["message"].as_str().unwrap().to_owned())
            .collect()
    };
    let (s, ann) = search("ann", "BUDGET").await;
    assert_eq!(s, 200, "{ann}");
    assert_eq!(
        texts(&ann),
        [
            "&lt;b&gt;budget&lt;/b&gt; &amp; tea",
            "the budget is secret",
            "Budget review at 3"
        ]
    );
    let (_, cat) = search("cat", "budget").await;
    assert_eq!(
        texts(&cat),
        ["&lt;b&gt;budget&lt;/b&gt; &amp; tea", "Budget review at 3"],
        "ben's private message to ann is not cat's to find"
    );
    let (_, markup) = search("cat", "<b>budget</b>").await;
    assert_eq!(
        texts(&markup).len(),
        1,
        "the query is sanitized like a message"
    );
    let (s, empty) = search("ann", "   ").await;
    assert_eq!((s, code(&empty)), (422, "VALIDATION_ERROR"));
    let long: &'static str = Box::leak("a".repeat(101).into_boxed_str());
    let (s, too_long) = search("ann", long).await;
    assert_eq!(
        (s, code(&too_long)),
        (422, "VALIDATION_ERROR"),
        "{too_long}"
    );
    let (s, longest) = search("ann", &long[..100]).await;
    assert_eq!(s, 200, "100 characters are fine: {longest}");
}

/// An author edits their message: everyone who saw it is told, history
/// shows the new text marked edited. A moderator deletes it: everyone is
/// told, and its text is gone from history, search and the replay log.
/// Past the edit window the author can do neither.
#[tokio::test]
async fn edits_and_deletes_reach_everyone_and_a_deleted_text_is_gone_everywhere() {
    let mut settings = settings();
    settings.rooms.chat_edit_window_secs = 2;
    let srv = spawn_with(settings);
    let room = "sec-edit";
    let (mut a, mut b, mut c) = trio(&srv, room).await;
    a.send(json!({"type": "chat-message", "message": "the code is 1234"}))
        .await;
    let id = c.expect("chat-message").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    b.expect("chat-message").await;
    b.send(json!({"type": "chat-edit", "message_id": id, "message": "mine now"}))
        .await;
    assert_eq!(b.expect("error").await["code"], "PERMISSION_DENIED");

    a.send(json!({"type": "chat-edit", "message_id": id, "message": "the code is <secret>"}))
        .await;
    let up = c.expect("chat-updated").await;
    assert_eq!(
        up["message"], "the code is &lt;secret&gt;",
        "sanitized as sent"
    );
    assert!(up["edited_at"].is_string(), "{up}");
    b.expect("chat-updated").await;
    let hist = history(&srv, room, "cat").await;
    assert_eq!(hist, ["ann: the code is &lt;secret&gt;"]);

    // Ben (a participant) may not delete it; the host may.
    b.send(json!({"type": "chat-delete", "message_id": id}))
        .await;
    assert_eq!(b.expect("error").await["code"], "PERMISSION_DENIED");
    let mut host = srv.connect_as(room, "boss", Some("moderator")).await;
    host.expect("room-state").await;
    host.send(json!({"type": "chat-delete", "message_id": id}))
        .await;
    let gone = c.expect("chat-deleted").await;
    assert_eq!(
        (gone["message_id"].as_str(), gone["deleted_by"].as_str()),
        (Some(id.as_str()), Some("boss"))
    );
    assert!(history(&srv, room, "cat").await.is_empty());
    let (_, found) = srv
        .get(&format!("/webrtc/rooms/{room}/chat/search?q=code"), "cat")
        .await;
    assert_eq!(found["messages"], json!([]));
    let (_, replay) = srv
        .get(
            &format!("/webrtc/rooms/{room}/reconnect?last_sequence=0"),
            "cat",
        )
        .await;
    let log = replay["events"].to_string();
    assert!(!log.contains("1234") && !log.contains("secret"), "{log}");
    assert!(log.contains("chat-deleted"), "{log}");

    // Past the window, the author's own message is theirs no more.
    a.send(json!({"type": "chat-message", "message": "late"}))
        .await;
    let late = loop {
        let m = a.expect("chat-message").await;
        if m["message"] == "late" {
            break m["id"].as_str().unwrap().to_owned();
        }
    };
    // An edit to nothing is refused, and the message keeps its text.
    a.send(json!({"type": "chat-edit", "message_id": late, "message": "   "}))
        .await;
    assert_eq!(a.expect("error").await["code"], "EMPTY_MESSAGE");
    a.send(json!({"type": "chat-edit", "message_id": "../etc", "message": "x"}))
        .await;
    assert_eq!(a.expect("error").await["code"], "VALIDATION_ERROR");
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    a.send(json!({"type": "chat-edit", "message_id": late, "message": "x"}))
        .await;
    assert_eq!(a.expect("error").await["code"], "PERMISSION_DENIED");
    a.send(json!({"type": "chat-delete", "message_id": "no-such-message"}))
        .await;
    assert_eq!(a.expect("error").await["code"], "NOT_FOUND");
}

#[tokio::test]
async fn chat_history_pages_past_messages_the_caller_may_not_see() {
    let srv = spawn();
    let room = "sec-pages";
    let (mut a, mut b, mut c) = trio(&srv, room).await;
    for i in 0..3 {
        a.send(json!({"type": "chat-message", "message": format!("public {i}")}))
            .await;
        c.expect("chat-message").await;
        a.send(json!({"type": "chat-message", "message": format!("private {i}"), "to": "ben"}))
            .await;
        b.expect("chat-message").await;
        b.expect("chat-message").await;
    }
    // Cat sees 3 of 6: two pages of 2, then the end.
    let path = format!("/webrtc/rooms/{room}/chat?limit=2");
    let (_, p1) = srv.get(&path, "cat").await;
    let texts = |p: &Value| -> Vec<String> {
        p["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["message"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(texts(&p1), ["public 2", "public 1"]);
    let cursor = p1["next_cursor"].as_str().expect("a next page").to_owned();
    let (_, p2) = srv.get(&format!("{path}&before={cursor}"), "cat").await;
    assert_eq!(texts(&p2), ["public 0"]);
    assert!(p2["next_cursor"].is_null(), "{p2}");
}

/// Reactions kept on messages: once per user, taken back, shown in
/// history, and told only to those who could see the message; a private
/// message is not there for anyone else to react to.
#[tokio::test]
async fn reactions_on_messages_are_kept_and_stay_with_who_could_see_them() {
    let srv = spawn();
    let room = "chat-react";
    let (mut a, mut b, mut c) = trio(&srv, room).await;
    a.send(json!({"type": "chat-message", "message": "psst", "to": "ben"}))
        .await;
    let private = b.expect("chat-message").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    a.expect("chat-message").await;

    c.send(json!({"type": "reaction", "emoji": "👍", "message_id": private}))
        .await;
    assert_eq!(c.expect_error().await, "NOT_FOUND");
    for (emoji, want) in [("a.b", "VALIDATION_ERROR"), ("", "VALIDATION_ERROR")] {
        b.send(json!({"type": "reaction", "emoji": emoji, "message_id": private}))
            .await;
        assert_eq!(b.expect_error().await, want, "{emoji:?}");
    }
    b.send(json!({"type": "reaction", "emoji": "malformed id", "message_id": "../x"}))
        .await;
    assert_eq!(b.expect_error().await, "VALIDATION_ERROR");

    for _ in 0..2 {
        b.send(json!({"type": "reaction", "emoji": "👍", "message_id": private}))
            .await;
    }
    for who in [&mut a, &mut b] {
        let r = who.expect("chat-reaction").await;
        assert_eq!(
            (
                r["message_id"].as_str(),
                r["emoji"].as_str(),
                r["user_id"].as_str(),
                r["active"].as_bool()
            ),
            (Some(private.as_str()), Some("👍"), Some("ben"), Some(true))
        );
    }
    let (_, page) = srv.get(&format!("/webrtc/rooms/{room}/chat"), "ann").await;
    assert_eq!(
        page["messages"][0]["reactions"],
        json!({"👍": ["ben"]}),
        "once"
    );
    let (_, page) = srv.get(&format!("/webrtc/rooms/{room}/chat"), "cat").await;
    assert_eq!(page["messages"], json!([]), "{page}");

    // Cat's next event is her own reaction on a public message: she was
    // told nothing of the private one.
    a.send(json!({"type": "chat-message", "message": "hello all"}))
        .await;
    let public = c.expect("chat-message").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    c.send(json!({"type": "reaction", "emoji": "🎉", "message_id": public}))
        .await;
    let r = c.expect("chat-reaction").await;
    assert_eq!(r["emoji"], "🎉", "{r}");
    assert!(
        !c.backlog().iter().any(|m| m["type"] == "chat-reaction"),
        "{:?}",
        c.backlog()
    );

    b.send(json!({"type": "reaction", "emoji": "👍", "message_id": private, "active": false}))
        .await;
    let mut took_back = None;
    while took_back.is_none() {
        let r = a.expect("chat-reaction").await;
        if r["message_id"] == private.as_str() {
            took_back = Some(r);
        }
    }
    assert_eq!(took_back.unwrap()["active"], false);
    let (_, page) = srv.get(&format!("/webrtc/rooms/{room}/chat"), "ann").await;
    let reactions: Vec<Value> = page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["reactions"].clone())
        .collect();
    assert_eq!(
        reactions,
        [json!({"🎉": ["cat"]}), Value::Null],
        "newest first"
    );
}

/// Read marks: `chat-read` moves a reader's mark forward only, is told to
/// those who could see the message, and gives unread counts on joining
/// and over REST; a mark on a private message is not shown to others.
#[tokio::test]
async fn read_marks_move_forward_count_unread_and_keep_private_messages_private() {
    let srv = spawn();
    let room = "chat-reads";
    let (mut a, mut b, mut c) = trio(&srv, room).await;
    let mut ids = Vec::new();
    for text in ["one", "two", "three"] {
        a.send(json!({"type": "chat-message", "message": text}))
            .await;
        ids.push(
            c.expect("chat-message").await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
        b.expect("chat-message").await;
    }
    a.send(json!({"type": "chat-message", "message": "psst", "to": "ben"}))
        .await;
    let private = b.expect("chat-message").await["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // A newcomer has every public message unread, none of the private.
    let mut dan = srv.connect(room, "dan").await;
    let state = dan.expect("room-state").await;
    assert_eq!(
        state["chat_unread"],
        json!({"count": 3, "more": false}),
        "{state}"
    );

    b.send(json!({"type": "chat-read", "message_id": ids[1]}))
        .await;
    for who in [&mut a, &mut c, &mut dan] {
        let r = who.expect("chat-read").await;
        assert_eq!(
            (r["user_id"].as_str(), r["message_id"].as_str()),
            (Some("ben"), Some(ids[1].as_str())),
            "{r}"
        );
    }
    // Backwards changes nothing and tells nobody; forward to the private
    // message is told to its two people only.
    b.send(json!({"type": "chat-read", "message_id": ids[0]}))
        .await;
    b.send(json!({"type": "chat-read", "message_id": private}))
        .await;
    let r = a.expect("chat-read").await;
    assert_eq!(
        r["message_id"],
        private.as_str(),
        "the backward mark was not told: {r}"
    );
    b.expect("chat-read").await;
    b.expect("chat-read").await;
    c.send(json!({"type": "chat-read", "message_id": ids[2]}))
        .await;
    let r = dan.expect("chat-read").await;
    assert_eq!(
        r["user_id"], "cat",
        "dan heard nothing of ben's private mark: {r}"
    );

    let (s, seen) = srv
        .get(&format!("/webrtc/rooms/{room}/chat/receipts"), "dan")
        .await;
    assert_eq!(s, 200, "{seen}");
    let users: Vec<&str> = seen["receipts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["user_id"].as_str().unwrap())
        .collect();
    assert_eq!(users, ["cat"], "ben's mark is on a message dan cannot see");
    let (_, seen) = srv
        .get(&format!("/webrtc/rooms/{room}/chat/receipts"), "ann")
        .await;
    let marks: Vec<(&str, &str)> = seen["receipts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["user_id"].as_str().unwrap(),
                r["message_id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(marks, [("cat", ids[2].as_str()), ("ben", private.as_str())]);

    let (_, unread) = srv
        .get(&format!("/webrtc/rooms/{room}/chat/unread"), "ben")
        .await;
    assert_eq!(
        (
            unread["count"].as_u64(),
            unread["last_read"]["message_id"].as_str()
        ),
        (Some(0), Some(private.as_str())),
        "{unread}"
    );
    a.send(json!({"type": "chat-message", "message": "four"}))
        .await;
    b.expect("chat-message").await;
    drop(b);
    let mut b = srv.connect(room, "ben").await;
    let state = b.expect("room-state").await;
    assert_eq!(state["chat_unread"]["count"], 1, "{state}");
    assert_eq!(
        state["chat_unread"]["last_read"]["message_id"],
        private.as_str()
    );

    b.send(json!({"type": "chat-read", "message_id": "../x"}))
        .await;
    assert_eq!(b.expect_error().await, "VALIDATION_ERROR");
    b.send(json!({"type": "chat-read", "message_id": "no-such-message"}))
        .await;
    assert_eq!(b.expect_error().await, "NOT_FOUND");
    let (s, body) = srv
        .get(&format!("/webrtc/rooms/{room}/chat/unread"), "stranger")
        .await;
    assert_eq!((s, code(&body)), (404, "USER_NOT_IN_ROOM"), "{body}");
}

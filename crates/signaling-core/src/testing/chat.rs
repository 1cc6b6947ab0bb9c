//! The [`ChatHistory`] suite: idempotent appends, newest-first pages with
//! cursors, rooms kept apart, search, and (for capped histories) the
//! per-room cap.

use std::sync::Arc;

use crate::RoomId;
use crate::ports::ChatHistory;
use crate::protocol::ChatRecord;

/// The cap a capped history under test must be built with.
pub const CAP: usize = 25;

/// Generates the [`ChatHistory`] suite; `$make` is an
/// `async fn() -> Arc<dyn ChatHistory>` giving an empty history. With
/// `cap: $capped`, also the cap case on a history from `$capped` built to
/// keep [`CAP`] messages per room (memory and Redis; MongoDB bounds chat by
/// retention instead).
#[macro_export]
macro_rules! chat_history_suite {
    ($make:path) => {
        $crate::__port_suite_cases!(chat, $make;
            pages_are_newest_first_and_cursors_walk_the_rest,
            append_is_idempotent_on_the_id,
            an_unknown_cursor_or_room_gives_an_empty_page,
            records_round_trip_and_rooms_are_apart,
            search_finds_text_ignoring_case_newest_first_in_pages,
            a_message_is_read_replaced_in_place_and_removed_for_good,
            reactions_are_kept_once_per_user_and_taken_back,
        );
    };
    ($make:path, cap: $capped:path) => {
        $crate::chat_history_suite!($make);
        $crate::__port_suite_cases!(chat, $capped; a_capped_history_keeps_the_newest);
    };
}

/// Message `i` of `room`: id `m{i:05}`, sent `i` ms after the suite's epoch.
pub fn chat(room: &str, i: usize) -> ChatRecord {
    ChatRecord {
        id: format!("m{i:05}"),
        room_id: room.to_owned(),
        from: "alice".into(),
        from_name: "Alice".into(),
        message: format!("message {i}"),
        to: None,
        breakout_room_id: None,
        reply_to: None,
        reactions: Default::default(),
        edited_at: None,
        timestamp: super::at_ms(i as i64),
    }
}

fn rid(s: &str) -> RoomId {
    RoomId::parse(s).expect("valid")
}

async fn walk(h: &dyn ChatHistory, room: &RoomId, size: usize) -> Vec<String> {
    let mut seen = vec![];
    let mut cursor: Option<String> = None;
    loop {
        let p = h.page(room, cursor.as_deref(), size).await.unwrap();
        assert!(p.messages.len() <= size, "at most `limit`");
        seen.extend(p.messages.iter().map(|m| m.id.clone()));
        match p.next_cursor {
            Some(c) => {
                assert_eq!(Some(&c), p.messages.last().map(|m| &m.id));
                cursor = Some(c);
            }
            None => return seen,
        }
    }
}

fn ids(range: impl DoubleEndedIterator<Item = usize>) -> Vec<String> {
    range.rev().map(|i| format!("m{i:05}")).collect()
}

/// A page holds at most `limit` messages, newest first; its cursor is its
/// oldest message's id, and the last page has none.
pub async fn pages_are_newest_first_and_cursors_walk_the_rest(h: Arc<dyn ChatHistory>) {
    for i in 0..7 {
        h.append(&chat("r", i)).await.unwrap();
    }
    let first = h.page(&rid("r"), None, 3).await.unwrap();
    assert_eq!(
        first
            .messages
            .iter()
            .map(|m| m.id.clone())
            .collect::<Vec<_>>(),
        ids(4..7)
    );
    assert_eq!(first.next_cursor.as_deref(), Some("m00004"));
    for size in [1, 2, 3, 7, 50] {
        assert_eq!(
            walk(&*h, &rid("r"), size).await,
            ids(0..7),
            "pages of {size}"
        );
    }
    let all = h.page(&rid("r"), None, 7).await.unwrap();
    assert_eq!(all.next_cursor, None, "exactly everything: no next page");
}

/// Appending a message id again, however late, stores it once.
pub async fn append_is_idempotent_on_the_id(h: Arc<dyn ChatHistory>) {
    h.append(&chat("r", 0)).await.unwrap();
    h.append(&chat("r", 0)).await.unwrap();
    for i in 1..100 {
        h.append(&chat("r", i)).await.unwrap();
    }
    h.append(&chat("r", 0)).await.unwrap();
    h.append(&chat("r", 50)).await.unwrap();
    assert_eq!(walk(&*h, &rid("r"), 40).await, ids(0..100));
}

/// A cursor that names no message of the room, and a room without
/// history, both give an empty last page.
pub async fn an_unknown_cursor_or_room_gives_an_empty_page(h: Arc<dyn ChatHistory>) {
    for i in 0..3 {
        h.append(&chat("r", i)).await.unwrap();
    }
    h.append(&chat("other", 9)).await.unwrap();
    for (room, cursor) in [("r", Some("nope")), ("r", Some("m00009")), ("empty", None)] {
        let p = h.page(&rid(room), cursor, 10).await.unwrap();
        assert!(p.messages.is_empty(), "{room} {cursor:?}");
        assert_eq!(p.next_cursor, None);
    }
}

/// What is read back equals what was appended, private fields included,
/// and each room has only its own messages.
pub async fn records_round_trip_and_rooms_are_apart(h: Arc<dyn ChatHistory>) {
    let mut private = chat("a", 1);
    private.to = Some("bob".into());
    private.breakout_room_id = Some("b1".into());
    private.message = "<b>héllo</b>\n".into();
    h.append(&chat("a", 0)).await.unwrap();
    h.append(&private).await.unwrap();
    h.append(&chat("b", 2)).await.unwrap();
    let a = h.page(&rid("a"), None, 10).await.unwrap().messages;
    assert_eq!(a, vec![private, chat("a", 0)]);
    let b = h.page(&rid("b"), None, 10).await.unwrap().messages;
    assert_eq!(b, vec![chat("b", 2)]);
}

/// A history built with a cap of [`CAP`] messages per room keeps exactly
/// the newest [`CAP`], in order, and rooms do not share the cap.
pub async fn a_capped_history_keeps_the_newest(h: Arc<dyn ChatHistory>) {
    for i in 0..CAP + 7 {
        h.append(&chat("capped", i)).await.unwrap();
    }
    h.append(&chat("other", CAP * 10)).await.unwrap();
    let page = h.page(&rid("capped"), None, CAP * 2).await.unwrap();
    let got: Vec<String> = page.messages.iter().map(|m| m.id.clone()).collect();
    assert_eq!(got, ids(7..CAP + 7), "the newest {CAP}, newest first");
    assert_eq!(page.next_cursor, None, "nothing older is left");
    let other = h.page(&rid("other"), None, 10).await.unwrap();
    assert_eq!(other.messages.len(), 1);
}

/// Search matches the text ignoring case, in one room, newest first, in
/// pages with the same cursors; a query is text, not a pattern.
pub async fn search_finds_text_ignoring_case_newest_first_in_pages(h: Arc<dyn ChatHistory>) {
    let texts = [
        "Lunch at noon?",
        "dinner later",
        "no more LUNCH talk",
        "a.c is a pattern",
        "abc is not",
        "lunchbox",
    ];
    for (i, t) in texts.iter().enumerate() {
        let mut m = chat("r", i);
        m.message = (*t).into();
        h.append(&m).await.unwrap();
    }
    let mut other = chat("other", 99);
    other.message = "lunch elsewhere".into();
    h.append(&other).await.unwrap();
    let ids = |p: &crate::ports::ChatPage| -> Vec<String> {
        p.messages.iter().map(|m| m.id.clone()).collect()
    };
    let all = h.search(&rid("r"), "lunch", None, 10).await.unwrap();
    assert_eq!(ids(&all), ["m00005", "m00002", "m00000"]);
    assert_eq!(all.next_cursor, None);
    let first = h.search(&rid("r"), "lunch", None, 2).await.unwrap();
    assert_eq!(ids(&first), ["m00005", "m00002"]);
    let cursor = first.next_cursor.expect("a third match remains");
    let rest = h
        .search(&rid("r"), "lunch", Some(&cursor), 2)
        .await
        .unwrap();
    assert_eq!(ids(&rest), ["m00000"]);
    assert_eq!(rest.next_cursor, None);
    let literal = h.search(&rid("r"), "a.c", None, 10).await.unwrap();
    assert_eq!(ids(&literal), ["m00003"], "`.` is a dot, not any character");
    assert!(
        h.search(&rid("r"), "breakfast", None, 10)
            .await
            .unwrap()
            .messages
            .is_empty()
    );
    assert!(
        h.search(&rid("nowhere"), "lunch", None, 10)
            .await
            .unwrap()
            .messages
            .is_empty()
    );
}

/// `get` finds a message of its room only; `replace` keeps its place in
/// the order; `remove` takes it (and its text) out of every read.
pub async fn a_message_is_read_replaced_in_place_and_removed_for_good(h: Arc<dyn ChatHistory>) {
    for i in 0..3 {
        h.append(&chat("r", i)).await.unwrap();
    }
    let r = rid("r");
    let got = h.get(&r, "m00001").await.unwrap().expect("stored");
    assert_eq!(got, chat("r", 1));
    assert_eq!(h.get(&rid("other"), "m00001").await.unwrap(), None);
    assert_eq!(h.get(&r, "nope").await.unwrap(), None);

    let mut edited = chat("r", 1);
    edited.message = "changed".into();
    edited.edited_at = Some(super::at_ms(50));
    assert!(h.replace(&edited).await.unwrap());
    let page = h.page(&r, None, 10).await.unwrap();
    let texts: Vec<&str> = page.messages.iter().map(|m| m.message.as_str()).collect();
    assert_eq!(texts, ["message 2", "changed", "message 0"], "in place");
    assert_eq!(page.messages[1], edited);
    let mut stranger = chat("r", 9);
    stranger.message = "never stored".into();
    assert!(
        !h.replace(&stranger).await.unwrap(),
        "only what the room holds"
    );
    assert_eq!(h.get(&r, "m00009").await.unwrap(), None);

    assert!(h.remove(&r, "m00001").await.unwrap());
    assert!(!h.remove(&r, "m00001").await.unwrap(), "once");
    assert_eq!(h.get(&r, "m00001").await.unwrap(), None);
    let page = h.page(&r, None, 10).await.unwrap();
    let ids: Vec<&str> = page.messages.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["m00002", "m00000"]);
    assert!(
        h.search(&r, "changed", None, 10)
            .await
            .unwrap()
            .messages
            .is_empty()
    );
}

/// `react` adds a user to an emoji's list once, in order; taking the last
/// one back removes the emoji; concurrent reactions are all kept; a
/// message the room does not hold is not touched.
pub async fn reactions_are_kept_once_per_user_and_taken_back(h: Arc<dyn ChatHistory>) {
    h.append(&chat("r", 0)).await.unwrap();
    let r = rid("r");
    assert!(h.react(&r, "m00000", "👍", "bob", true).await.unwrap());
    assert!(h.react(&r, "m00000", "👍", "bob", true).await.unwrap());
    assert!(h.react(&r, "m00000", "👍", "carol", true).await.unwrap());
    assert!(h.react(&r, "m00000", "🎉", "bob", true).await.unwrap());
    let got = h.get(&r, "m00000").await.unwrap().expect("stored");
    assert_eq!(got.reactions["👍"], ["bob", "carol"], "once each, in order");
    assert_eq!(got.reactions["🎉"], ["bob"]);
    assert_eq!(got.message, "message 0", "the rest is as it was");

    assert!(h.react(&r, "m00000", "🎉", "bob", false).await.unwrap());
    assert!(h.react(&r, "m00000", "👍", "nobody", false).await.unwrap());
    let got = h.get(&r, "m00000").await.unwrap().expect("stored");
    assert!(!got.reactions.contains_key("🎉"), "nobody left on it");
    assert_eq!(got.reactions["👍"], ["bob", "carol"]);
    let page = h.page(&r, None, 10).await.unwrap();
    assert_eq!(page.messages[0], got, "pages show them too");

    let mut many = tokio::task::JoinSet::new();
    for i in 0..10 {
        let (h, r) = (h.clone(), r.clone());
        many.spawn(async move { h.react(&r, "m00000", "🔥", &format!("u{i}"), true).await });
    }
    while let Some(done) = many.join_next().await {
        assert!(done.unwrap().unwrap());
    }
    let got = h.get(&r, "m00000").await.unwrap().expect("stored");
    assert_eq!(got.reactions["🔥"].len(), 10, "no reaction lost");

    assert!(!h.react(&r, "m00009", "👍", "bob", true).await.unwrap());
    assert!(
        !h.react(&rid("other"), "m00000", "👍", "bob", true)
            .await
            .unwrap()
    );
    assert_eq!(h.get(&r, "m00009").await.unwrap(), None);
}

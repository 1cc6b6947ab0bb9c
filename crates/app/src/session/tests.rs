//! The session's rules, driven by inputs and a hand-set clock: what a
//! client would see on the wire, and whether its user leaves.

use super::*;
use serde_json::Value;
use signaling_core::{ConnectionId, Engine, RoomConfig, RoomId, UserId};

fn cfg() -> SessionConfig {
    SessionConfig {
        heartbeat: Duration::from_secs(5),
        idle_timeout: Duration::from_secs(30),
        reconnect_grace: Duration::from_secs(30),
        max_message_bytes: 1024,
        signaling_limit: Limit {
            max: 3,
            window_secs: 3,
        },
        message_limit: Limit {
            max: 100,
            window_secs: 60,
        },
    }
}

/// `secs` seconds after the start of the test.
fn t(secs: i64) -> OffsetDateTime {
    OffsetDateTime::UNIX_EPOCH + time::Duration::seconds(1_000_000 + secs)
}

/// Alice's join, on a connection whose id puts its first ping a whole
/// heartbeat after going live (see [`first_ping`]).
fn join_request() -> JoinRequest {
    JoinRequest {
        user_id: UserId::parse("alice").unwrap(),
        name: None,
        role: None,
        permissions: None,
        connection: ConnectionId(uuid::Uuid::from_u64_pair(7, 0)),
    }
}

/// A real join outcome from the engine, with `last_sequence` set as the
/// service sets it.
fn joined(rejoined: bool, last_sequence: u64) -> Reply {
    let engine = Engine::new(RoomConfig::default());
    let mut room = engine.new_room(RoomId::parse("r1").unwrap(), t(0));
    let (outcome, _) = engine.join(&mut room, t(0), join_request()).unwrap();
    let JoinOutcome::Joined { mut state, .. } = outcome else {
        panic!("joined")
    };
    state.last_sequence = last_sequence;
    Reply::Joined(Ok(JoinOutcome::Joined { state, rejoined }))
}

fn drain(s: &mut Session) -> Vec<Action> {
    std::iter::from_fn(|| s.poll_action()).collect()
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

/// The `type`s of the frames the actions write, in order.
fn written(actions: &[Action]) -> Vec<String> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Send(t) => Some(json(t)["type"].as_str().unwrap().to_owned()),
            Action::Deliver(t) => Some(format!("deliver:{}", json(t)["seq"])),
            _ => None,
        })
        .collect()
}

fn event(seq: u64) -> String {
    format!(r#"{{"seq":{seq},"type":"chat-message","text":"m{seq}"}}"#)
}

fn leave_of(actions: &[Action]) -> Option<bool> {
    actions.iter().find_map(|a| match a {
        Action::Leave { goodbye } => Some(*goodbye),
        _ => None,
    })
}

fn close_of(actions: &[Action]) -> Option<Option<CloseFrame>> {
    actions.iter().find_map(|a| match a {
        Action::Close(c) => Some(c.clone()),
        _ => None,
    })
}

/// A session that joined freshly at `t(0)`.
fn live() -> Session {
    let mut s = Session::new(cfg(), join_request(), None);
    drain(&mut s);
    s.on_reply(t(0), joined(false, 0));
    drain(&mut s);
    s
}

#[test]
fn a_fresh_join_gets_the_state_and_every_later_event() {
    let mut s = Session::new(cfg(), join_request(), None);
    assert!(matches!(
        drain(&mut s)[..],
        [Action::Call(Request::Join(_))]
    ));
    s.on_reply(t(0), joined(false, 7));
    let a = drain(&mut s);
    assert!(matches!(a[0], Action::Call(Request::Track)));
    assert_eq!(written(&a), ["room-state"]);
    // An event raced in between the join and the state is still delivered.
    s.on_outbound(Outbound::Sequenced(6, event(6).into()));
    assert_eq!(written(&drain(&mut s)), ["deliver:6"]);
}

#[test]
fn a_resumed_client_gets_what_it_missed_and_no_duplicate() {
    let mut s = Session::new(cfg(), join_request(), Some(3));
    drain(&mut s);
    s.on_reply(t(0), joined(true, 5));
    let a = drain(&mut s);
    assert!(matches!(
        a[..],
        [
            Action::Call(Request::Track),
            Action::Call(Request::Replay { after: 3 })
        ]
    ));
    s.on_reply(
        t(0),
        Reply::Replayed(Ok(ReplayOutcome::Events {
            events: vec![(4, event(4)), (5, event(5))],
            latest: 5,
        })),
    );
    let a = drain(&mut s);
    assert_eq!(
        written(&a),
        ["reconnection-detected", "chat-message", "chat-message"]
    );
    let Action::Send(first) = &a[0] else { panic!() };
    assert_eq!(json(first)["missed_message_count"], 2);
    // The same events arriving live are skipped; newer ones are not.
    for seq in [4, 5, 6] {
        s.on_outbound(Outbound::Sequenced(seq, event(seq).into()));
    }
    assert_eq!(written(&drain(&mut s)), ["deliver:6"]);
}

#[test]
fn a_resume_without_a_seat_to_take_back_gets_the_whole_state() {
    let mut s = Session::new(cfg(), join_request(), Some(3));
    drain(&mut s);
    s.on_reply(t(0), joined(false, 9));
    let a = drain(&mut s);
    assert_eq!(written(&a), ["resync-required", "room-state"]);
    assert!(
        !a.iter()
            .any(|a| matches!(a, Action::Call(Request::Replay { .. })))
    );
    let Action::Send(resync) = a.iter().find(|a| matches!(a, Action::Send(_))).unwrap() else {
        panic!()
    };
    assert_eq!(json(resync)["requested_sequence"], 3);
    assert_eq!(json(resync)["last_sequence"], 9);
}

#[test]
fn a_resume_past_the_buffer_gets_the_state_and_skips_nothing() {
    let mut s = Session::new(cfg(), join_request(), Some(1));
    drain(&mut s);
    s.on_reply(t(0), joined(true, 50));
    drain(&mut s);
    let Reply::Joined(Ok(JoinOutcome::Joined { state, .. })) = joined(true, 50) else {
        panic!()
    };
    s.on_reply(
        t(0),
        Reply::Replayed(Ok(ReplayOutcome::Resync { state, latest: 50 })),
    );
    assert_eq!(written(&drain(&mut s)), ["resync-required", "room-state"]);
    s.on_outbound(Outbound::Sequenced(50, event(50).into()));
    assert_eq!(written(&drain(&mut s)), ["deliver:50"]);
}

#[test]
fn a_failed_replay_still_sends_the_state() {
    let mut s = Session::new(cfg(), join_request(), Some(1));
    drain(&mut s);
    s.on_reply(t(0), joined(true, 5));
    drain(&mut s);
    s.on_reply(
        t(0),
        Reply::Replayed(Err(SignalError::new(ErrorCode::ServiceUnavailable, "down"))),
    );
    assert_eq!(written(&drain(&mut s)), ["room-state"]);
}

#[test]
fn a_refused_join_sends_the_reason_and_closes_without_a_leave() {
    let mut s = Session::new(cfg(), join_request(), None);
    drain(&mut s);
    s.on_reply(
        t(0),
        Reply::Joined(Err(SignalError::new(ErrorCode::RoomFull, "full"))),
    );
    let a = drain(&mut s);
    assert!(matches!(a[0], Action::Count(Count::JoinRefused)));
    assert_eq!(written(&a), ["error"]);
    assert_eq!(
        close_of(&a),
        Some(Some(CloseFrame {
            code: 4403,
            reason: "ROOM_FULL".into()
        }))
    );
    assert_eq!(leave_of(&a), None, "never joined: nothing to leave");
    assert!(s.is_over());
}

#[test]
fn a_goodbye_leaves_at_once() {
    for code in [Some(1000), None] {
        let mut s = live();
        s.on_closed(t(1), Closed::ByClient(code));
        let a = drain(&mut s);
        assert_eq!(close_of(&a), Some(None));
        assert_eq!(leave_of(&a), Some(true), "close code {code:?}");
        assert!(s.is_over());
    }
}

#[test]
fn a_dropped_connection_leaves_a_reconnecting_participant() {
    for how in [Closed::Dropped, Closed::ByClient(Some(1001))] {
        let mut s = live();
        s.on_closed(t(1), how);
        assert_eq!(leave_of(&drain(&mut s)), Some(false), "{how:?}");
    }
}

#[test]
fn without_a_grace_period_a_drop_leaves_at_once() {
    let mut s = Session::new(
        SessionConfig {
            reconnect_grace: Duration::ZERO,
            ..cfg()
        },
        join_request(),
        None,
    );
    drain(&mut s);
    s.on_reply(t(0), joined(false, 0));
    drain(&mut s);
    s.on_closed(t(1), Closed::Dropped);
    assert_eq!(leave_of(&drain(&mut s)), Some(true));
}

#[test]
fn a_silent_client_is_pinged_then_closed_with_idle_timeout() {
    let mut s = live();
    assert_eq!(s.next_timeout(), Some(t(5)));
    s.on_tick(t(4));
    assert!(drain(&mut s).is_empty(), "nothing before the heartbeat");
    for at in [5, 10, 15, 20, 25, 30] {
        s.on_tick(t(at));
        assert!(matches!(drain(&mut s)[..], [Action::Ping]), "ping at {at}s");
        assert_eq!(s.next_timeout(), Some(t(at + 5)));
    }
    s.on_tick(t(35));
    let a = drain(&mut s);
    assert_eq!(written(&a), ["error"]);
    let Action::Send(e) = &a[0] else { panic!() };
    assert_eq!(json(e)["code"], "IDLE_TIMEOUT");
    assert_eq!(
        close_of(&a),
        Some(Some(CloseFrame::for_error(ErrorCode::IdleTimeout)))
    );
    assert_eq!(leave_of(&a), Some(false));
}

#[test]
fn any_frame_keeps_a_client_alive() {
    let mut s = live();
    s.on_frame(t(20), Frame::Pong);
    for at in [5, 10, 15, 20, 25, 30, 35, 40, 45, 50] {
        s.on_tick(t(at));
        assert!(matches!(drain(&mut s)[..], [Action::Ping]), "ping at {at}s");
    }
    s.on_tick(t(55));
    assert_eq!(
        close_of(&drain(&mut s)),
        Some(Some(CloseFrame::for_error(ErrorCode::IdleTimeout)))
    );
}

#[test]
fn a_full_queue_closes_with_slow_consumer() {
    let mut s = live();
    s.on_overflow(t(1));
    let a = drain(&mut s);
    assert!(matches!(a[0], Action::Count(Count::SlowConsumer)));
    assert_eq!(written(&a), Vec::<String>::new(), "it does not read anyway");
    assert_eq!(
        close_of(&a),
        Some(Some(CloseFrame {
            code: 4503,
            reason: "SLOW_CONSUMER".into()
        }))
    );
    assert_eq!(leave_of(&a), Some(false));
    // Whatever is still queued is not sent.
    s.on_outbound(Outbound::Sequenced(1, event(1).into()));
    assert!(drain(&mut s).is_empty());
}

fn send_chat(s: &mut Session) {
    s.on_frame(
        t(1),
        Frame::Text(r#"{"type":"chat-message","message":"hi"}"#),
    );
    assert!(matches!(
        drain(s)[..],
        [Action::Call(Request::Handle(ClientMessage::ChatMessage(_)))]
    ));
}

#[test]
fn a_lost_seat_closes_with_session_lost() {
    let mut s = live();
    send_chat(&mut s);
    s.on_reply(
        t(1),
        Reply::Handled(Err(SignalError::new(ErrorCode::UserNotInRoom, "who?"))),
    );
    assert!(matches!(
        drain(&mut s)[..],
        [
            Action::Count(Count::Error(ErrorCode::UserNotInRoom)),
            Action::Call(Request::CheckSeat)
        ]
    ));
    s.on_reply(t(1), Reply::Seat { lost: true });
    let a = drain(&mut s);
    assert_eq!(written(&a), ["error"]);
    let Action::Send(e) = a.iter().find(|a| matches!(a, Action::Send(_))).unwrap() else {
        panic!()
    };
    assert_eq!(json(e)["code"], "SESSION_LOST");
    assert_eq!(json(e)["in_reply_to"], "chat-message");
    assert_eq!(
        close_of(&a),
        Some(Some(CloseFrame::for_error(ErrorCode::SessionLost)))
    );
    assert_eq!(leave_of(&a), Some(true));
}

#[test]
fn a_seat_still_held_gets_the_plain_error_and_stays_open() {
    let mut s = live();
    send_chat(&mut s);
    s.on_reply(
        t(1),
        Reply::Handled(Err(SignalError::new(ErrorCode::UserNotInRoom, "who?"))),
    );
    drain(&mut s);
    s.on_reply(t(1), Reply::Seat { lost: false });
    let a = drain(&mut s);
    let Action::Send(e) = &a[0] else { panic!() };
    assert_eq!(json(e)["code"], "USER_NOT_IN_ROOM");
    assert_eq!(close_of(&a), None);
    assert!(!s.is_over());
}

#[test]
fn a_refused_message_gets_an_error_and_the_session_goes_on() {
    let mut s = live();
    send_chat(&mut s);
    s.on_reply(
        t(1),
        Reply::Handled(Err(SignalError::new(
            ErrorCode::RateLimitExceeded,
            "slow down",
        ))),
    );
    let a = drain(&mut s);
    assert_eq!(written(&a), ["error"]);
    assert_eq!(close_of(&a), None);
    s.on_outbound(Outbound::Sequenced(1, event(1).into()));
    assert_eq!(written(&drain(&mut s)), ["deliver:1"]);
}

#[test]
fn a_replaced_session_closes_and_its_user_stays() {
    let mut s = live();
    send_chat(&mut s);
    s.on_reply(
        t(1),
        Reply::Handled(Err(SignalError::new(ErrorCode::SessionReplaced, "new tab"))),
    );
    let a = drain(&mut s);
    assert_eq!(written(&a), Vec::<String>::new());
    assert_eq!(
        close_of(&a),
        Some(Some(CloseFrame::for_error(ErrorCode::SessionReplaced)))
    );
    // A goodbye of this connection only: the engine keeps the newer one.
    assert_eq!(leave_of(&a), Some(true));
}

#[test]
fn pings_are_answered_without_the_room_service() {
    let mut s = live();
    s.on_frame(t(3), Frame::Text(r#"{"type":"ping","ts":42}"#));
    let a = drain(&mut s);
    assert_eq!(a.len(), 1);
    let Action::Send(p) = &a[0] else { panic!() };
    assert_eq!(json(p)["type"], "pong");
    assert_eq!(json(p)["ts"], 42);
    s.on_frame(t(3), Frame::Ping(Bytes::from_static(b"hb")));
    assert!(matches!(&drain(&mut s)[..], [Action::Pong(b)] if &b[..] == b"hb"));
}

#[test]
fn bad_frames_get_an_error_and_the_session_goes_on() {
    let mut s = live();
    s.on_frame(t(1), Frame::Text("not json"));
    s.on_frame(t(1), Frame::Binary);
    let a = drain(&mut s);
    assert_eq!(written(&a), ["error", "error"]);
    assert_eq!(close_of(&a), None);
}

#[test]
fn an_oversized_frame_closes_with_1009_for_good() {
    let mut s = live();
    s.on_frame(t(1), Frame::TooLarge);
    let a = drain(&mut s);
    let Action::Send(e) = &a[0] else { panic!() };
    assert_eq!(json(e)["code"], "MESSAGE_TOO_LARGE");
    assert!(json(e)["message"].as_str().unwrap().contains("1024 bytes"));
    assert_eq!(close_of(&a).unwrap().unwrap().code, 1009);
    assert_eq!(leave_of(&a), Some(true));
}

#[test]
fn a_close_from_the_hub_tells_the_client_why() {
    let mut s = live();
    s.on_outbound(Outbound::Close(ErrorCode::SessionLost));
    let a = drain(&mut s);
    assert!(matches!(
        a[0],
        Action::Count(Count::Error(ErrorCode::SessionLost))
    ));
    assert_eq!(written(&a), ["error"]);
    assert_eq!(
        close_of(&a),
        Some(Some(CloseFrame::for_error(ErrorCode::SessionLost)))
    );
    assert_eq!(leave_of(&a), Some(false));
}

#[test]
fn a_restart_closes_with_1012_and_keeps_the_seat() {
    let mut s = live();
    s.on_outbound(Outbound::Restart);
    let a = drain(&mut s);
    assert!(written(&a).is_empty(), "no error frame: {a:?}");
    let close = close_of(&a).unwrap().unwrap();
    assert_eq!(
        (close.code, close.reason.as_str()),
        (1012, "SERVICE_RESTART")
    );
    assert_eq!(leave_of(&a), Some(false), "a drop, not a goodbye");
    s.on_outbound(Outbound::Text("{}".into()));
    assert!(drain(&mut s).is_empty(), "nothing after the close");
}

#[test]
fn a_restart_closes_a_session_that_is_still_joining() {
    let mut s = Session::new(cfg(), join_request(), None);
    drain(&mut s);
    s.on_outbound(Outbound::Text("{}".into()));
    assert!(drain(&mut s).is_empty(), "deliveries wait for the join");
    s.on_outbound(Outbound::Restart);
    let a = drain(&mut s);
    assert_eq!(close_of(&a).unwrap().unwrap().code, 1012);
    assert_eq!(leave_of(&a), Some(false));
}

fn send_candidate(s: &mut Session, at: OffsetDateTime) -> Vec<Action> {
    s.on_frame(
        at,
        Frame::Text(
            r#"{"type":"ice-candidate","target":"bob","candidate":{"candidate":"candidate:1 1 udp 1 10.0.0.1 9 typ host"}}"#,
        ),
    );
    drain(s)
}

/// The `signaling` bucket of `cfg()` holds 3 tokens and refills one per
/// second: a burst of three passes, the fourth is refused on the spot (no
/// service call) with a retry-after, the session stays open, and a second
/// later one more passes.
#[test]
fn relays_over_the_connection_limit_are_refused_locally_and_refill() {
    let mut s = live();
    for _ in 0..3 {
        let a = send_candidate(&mut s, t(1));
        assert!(
            matches!(
                &a[..],
                [Action::Call(Request::Handle(ClientMessage::IceCandidate(
                    _
                )))]
            ),
            "{a:?}"
        );
        s.on_reply(t(1), Reply::Handled(Ok(())));
    }
    let a = send_candidate(&mut s, t(1));
    assert!(!a.iter().any(|a| matches!(a, Action::Call(_))), "{a:?}");
    let e = a
        .iter()
        .find_map(|a| match a {
            Action::Send(t) => Some(json(t)),
            _ => None,
        })
        .expect("an error frame");
    assert_eq!(e["code"], "RATE_LIMIT_EXCEEDED");
    assert_eq!(e["in_reply_to"], "ice-candidate");
    assert_eq!(e["retry_after"], 1);
    assert_eq!(close_of(&a), None);
    // Other messages draw on their own bucket meanwhile.
    send_chat(&mut s);
    s.on_reply(t(1), Reply::Handled(Ok(())));
    let a = send_candidate(&mut s, t(2));
    assert!(
        matches!(&a[..], [Action::Call(Request::Handle(_))]),
        "{a:?}"
    );
}

/// Sessions that go live together ping first at points spread over the
/// second half of the heartbeat, evenly: of a thousand, no tenth of that
/// half holds more than twice its share.
#[test]
fn sessions_that_join_together_do_not_ping_together() {
    let h = Duration::from_secs(5);
    let mut buckets = [0usize; 10];
    for _ in 0..1000 {
        let mut req = join_request();
        req.connection = ConnectionId::new();
        let mut s = Session::new(cfg(), req, None);
        drain(&mut s);
        s.on_reply(t(0), joined(false, 0));
        let first = s.next_timeout().expect("a ping is due") - t(0);
        assert!(first > h / 2 && first <= h, "{first:?}");
        let at = (first.as_seconds_f64() - 2.5) / 2.5;
        buckets[((at * 10.0) as usize).min(9)] += 1;
    }
    assert!(buckets.iter().all(|&n| n <= 200), "{buckets:?}");
}

/// Past the connection's `websocket_message` bucket, other messages are
/// refused with `TOO_MANY_MESSAGES` (relays keep their own bucket).
#[test]
fn messages_past_the_connection_bucket_are_too_many() {
    let mut s = Session::new(
        SessionConfig {
            message_limit: Limit {
                max: 2,
                window_secs: 60,
            },
            ..cfg()
        },
        join_request(),
        None,
    );
    drain(&mut s);
    s.on_reply(t(0), joined(false, 0));
    drain(&mut s);
    for _ in 0..2 {
        send_chat(&mut s);
        s.on_reply(t(1), Reply::Handled(Ok(())));
    }
    s.on_frame(
        t(1),
        Frame::Text(r#"{"type":"chat-message","message":"hi"}"#),
    );
    let a = drain(&mut s);
    assert!(!a.iter().any(|a| matches!(a, Action::Call(_))), "{a:?}");
    let e = a
        .iter()
        .find_map(|a| match a {
            Action::Send(t) => Some(json(t)),
            _ => None,
        })
        .expect("an error frame");
    assert_eq!(e["code"], "TOO_MANY_MESSAGES");
    assert_eq!(e["retry_after"], 30);
    let a = send_candidate(&mut s, t(1));
    assert!(
        matches!(&a[..], [Action::Call(Request::Handle(_))]),
        "{a:?}"
    );
}

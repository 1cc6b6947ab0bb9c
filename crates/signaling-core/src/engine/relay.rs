//! Relays between peers: SDP offers and answers (each media section held to
//! the sender's permissions), ICE candidates, end-to-end encryption keys and
//! peer-to-peer file-share signaling; and the check before a file goes
//! through the server. Nothing here changes the room.

use base64::Engine as _;

use super::{Actor, Effect, Engine, deliver};
use crate::protocol::*;
use crate::room::{Participant, Room};
use crate::sdp;
use crate::{ErrorCode, SignalError, UserId};

impl Engine {
    /// `offer` (or, with `answer`, `answer`) to one peer of the sender's group.
    pub(super) fn sdp(
        &self,
        room: &Room,
        actor: &Actor,
        o: SdpRelay,
        answer: bool,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = self.member(room, actor)?;
        let from = me.user_id.to_string();
        let t = self.peer(room, me, &o.target)?;
        self.check_sdp(room, me, &o.sdp)?;
        let msg = if answer {
            ServerMessage::Answer { from, sdp: o.sdp }
        } else {
            ServerMessage::Offer { from, sdp: o.sdp }
        };
        Ok(vec![deliver(vec![t.user_id.clone()], msg)])
    }

    /// `ice-candidate` to one peer, if it looks like a candidate.
    pub(super) fn ice_candidate(
        &self,
        room: &Room,
        actor: &Actor,
        c: IceRelay,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = self.member(room, actor)?;
        let from = me.user_id.to_string();
        let t = self.peer(room, me, &c.target)?;
        let cand = &c.candidate;
        let ok = (cand.candidate.is_empty() || cand.candidate.starts_with("candidate:"))
            && cand.candidate.len() <= 1024
            && !cand.candidate.chars().any(char::is_control)
            && cand.sdp_mid.as_ref().is_none_or(|m| m.len() <= 64)
            && cand
                .username_fragment
                .as_ref()
                .is_none_or(|u| u.len() <= 256);
        if !ok {
            return Err(SignalError::new(
                ErrorCode::InvalidIceCandidate,
                "malformed ICE candidate",
            ));
        }
        Ok(vec![deliver(
            vec![t.user_id.clone()],
            ServerMessage::IceCandidate {
                from,
                candidate: c.candidate,
            },
        )])
    }

    /// `e2ee-key-exchange` to one peer: structurally checked, relayed verbatim.
    pub(super) fn e2ee_key_exchange(
        &self,
        room: &Room,
        actor: &Actor,
        k: E2eeKeyExchange,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = self.member(room, actor)?;
        let from = me.user_id.to_string();
        let t = self.peer(room, me, &k.target)?;
        self.check_b64("public_key", &k.public_key, self.config.max_e2ee_key_bytes)?;
        if let Some(s) = &k.signature {
            self.check_b64("signature", s, 512)?;
        }
        if k.algorithm
            .as_ref()
            .is_some_and(|a| a.len() > 64 || !a.bytes().all(|b| b.is_ascii_graphic()))
        {
            return Err(SignalError::new(
                ErrorCode::InvalidE2eePayload,
                "algorithm label is invalid",
            ));
        }
        Ok(vec![deliver(
            vec![t.user_id.clone()],
            ServerMessage::E2eeKeyExchange {
                from,
                key_id: k.key_id,
                public_key: k.public_key,
                signature: k.signature,
                algorithm: k.algorithm,
            },
        )])
    }

    /// `e2ee-ratchet-update` to one peer, or to the rest of the sender's group.
    pub(super) fn e2ee_ratchet_update(
        &self,
        room: &Room,
        actor: &Actor,
        r: E2eeRatchetUpdate,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = self.member(room, actor)?;
        let from = me.user_id.to_string();
        self.check_b64(
            "encrypted_key",
            &r.encrypted_key,
            self.config.max_e2ee_key_bytes,
        )?;
        let to = match &r.target {
            Some(t) => vec![self.peer(room, me, t)?.user_id.clone()],
            None => {
                let mut g = room.group_members(me.breakout_room_id.as_deref());
                g.retain(|u| u != &me.user_id);
                g
            }
        };
        Ok(vec![deliver(
            to,
            ServerMessage::E2eeRatchetUpdate {
                from,
                key_id: r.key_id,
                generation: r.generation,
                encrypted_key: r.encrypted_key,
            },
        )])
    }

    /// `file-share-*` signaling of a peer-to-peer transfer, to one peer.
    pub(super) fn file_share(
        &self,
        room: &Room,
        actor: &Actor,
        ty: MessageType,
        f: FileShareSignal,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = self.member(room, actor)?;
        let from = me.user_id.to_string();
        let t = self.peer(room, me, &f.target)?;
        if ty == MessageType::FileShareOffer && !me.permissions.can_share_files {
            return Err(SignalError::denied("you may not share files"));
        }
        if f.transfer_id.is_empty() || f.transfer_id.len() > 128 {
            return Err(SignalError::invalid("transfer_id must be 1-128 characters"));
        }
        let out = FileShareOut {
            from,
            transfer_id: f.transfer_id,
            bytes_transferred: f.bytes_transferred,
            transfer: None,
        };
        let msg = match ty {
            MessageType::FileShareOffer => ServerMessage::FileShareOffer(out),
            MessageType::FileShareAccept => ServerMessage::FileShareAccept(out),
            MessageType::FileShareReject => ServerMessage::FileShareReject(out),
            MessageType::FileShareProgress => ServerMessage::FileShareProgress(out),
            _ => ServerMessage::FileShareComplete(out),
        };
        Ok(vec![deliver(vec![t.user_id.clone()], msg)])
    }

    /// Checks that `actor` may offer a file to `receiver` through the
    /// server: both are present, the sender has `can_share_files`.
    pub(super) fn authorize_file_offer(
        &self,
        room: &Room,
        actor: &Actor,
        receiver: &UserId,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = self.member(room, actor)?;
        if !me.permissions.can_share_files {
            return Err(SignalError::denied("you may not share files"));
        }
        if room.participant(receiver).is_none() {
            return Err(SignalError::new(
                ErrorCode::UserNotInRoom,
                format!("{receiver} is not in this room"),
            ));
        }
        Ok(Vec::new())
    }

    pub(super) fn peer<'r>(
        &self,
        room: &'r Room,
        from: &Participant,
        target: &UserId,
    ) -> Result<&'r Participant, SignalError> {
        if target == &from.user_id {
            return Err(SignalError::new(
                ErrorCode::InvalidTarget,
                "cannot address yourself",
            ));
        }
        let t = room.participant(target).ok_or_else(|| {
            SignalError::new(
                ErrorCode::UserNotInRoom,
                format!("{target} is not in this room"),
            )
        })?;
        if t.breakout_room_id != from.breakout_room_id {
            return Err(SignalError::new(
                ErrorCode::UserNotInRoom,
                format!("{target} is in another breakout room"),
            ));
        }
        Ok(t)
    }

    /// Size and shape, then every `m=` section that would send media
    /// against the sender's permissions (docs/protocol.md, "Media
    /// permissions in SDP"): audio needs `can_share_audio`; video needs
    /// `can_share_video`, or `can_share_screen` while the sender shares the
    /// screen; a section marked `a=content:slides` needs `can_share_screen`
    /// (and the room allowing it); data channels are always allowed; other
    /// kinds need some publishing permission.
    fn check_sdp(&self, room: &Room, from: &Participant, sdp: &str) -> Result<(), SignalError> {
        self.check_sdp_within(room, from, sdp, self.config.max_sdp_bytes)
    }

    /// [`Engine::check_sdp`] with a size limit of `max` bytes.
    pub(super) fn check_sdp_within(
        &self,
        room: &Room,
        from: &Participant,
        sdp: &str,
        max: usize,
    ) -> Result<(), SignalError> {
        if sdp.len() > max {
            return Err(SignalError::new(
                ErrorCode::InvalidSdp,
                format!("SDP over {max} bytes"),
            ));
        }
        if !sdp.starts_with("v=0") {
            return Err(SignalError::new(
                ErrorCode::InvalidSdp,
                "SDP must start with v=0",
            ));
        }
        let parsed = sdp::parse(sdp).map_err(|m| SignalError::new(ErrorCode::InvalidSdp, m))?;
        let p = &from.permissions;
        let screen = p.can_share_screen && room.settings.screen_share_allowed;
        for (i, m) in parsed.media.iter().enumerate() {
            if !m.sends() {
                continue;
            }
            let (allowed, what) = match m.kind.as_str() {
                "application" => (true, ""),
                "audio" => (p.can_share_audio, "audio"),
                "video" if m.slides => (screen, "your screen"),
                "video" => (
                    p.can_share_video || (screen && from.media.screen_sharing),
                    "video",
                ),
                _ => (p.can_publish(), "media"),
            };
            if !allowed {
                return Err(SignalError::new(
                    ErrorCode::MediaNotAllowed,
                    format!(
                        "m={} (media section {}) would send ({}), but you may not share {what}; make it recvonly or inactive",
                        m.kind,
                        i + 1,
                        m.direction
                    ),
                ));
            }
        }
        Ok(())
    }

    fn check_b64(&self, field: &str, v: &str, max: usize) -> Result<(), SignalError> {
        let bad = |m: String| SignalError::new(ErrorCode::InvalidE2eePayload, m);
        if v.len() > max * 4 / 3 + 4 {
            return Err(bad(format!("{field} is larger than {max} bytes")));
        }
        let e = base64::engine::general_purpose::STANDARD
            .decode(v)
            .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(v))
            .map_err(|_| bad(format!("{field} is not base64")))?;
        if e.is_empty() || e.len() > max {
            return Err(bad(format!("{field} must be 1..={max} bytes")));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testkit::*;

    #[test]
    fn relay_goes_only_to_the_target_and_requires_membership() {
        let mut d = Driver::new(10);
        d.join("a").unwrap();
        d.join("b").unwrap();
        d.join("c").unwrap();
        let e = d
            .send("a", r#"{"type":"offer","target":"b","sdp":"v=0\r\n"}"#)
            .unwrap();
        assert_eq!(delivered_to(&e, "offer"), vec![vec!["b".to_string()]]);
        assert_eq!(
            d.send("a", r#"{"type":"offer","target":"z","sdp":"v=0"}"#)
                .unwrap_err()
                .code,
            ErrorCode::UserNotInRoom
        );
        d.conns.insert("x".into(), ConnectionId::new());
        assert_eq!(
            d.send("x", r#"{"type":"ping"}"#).unwrap_err().code,
            ErrorCode::UserNotInRoom
        );
    }

    #[test]
    fn a_relayed_sdp_is_the_senders_literal_and_nothing_else_of_the_frame() {
        let mut d = Driver::new(10);
        d.join("a").unwrap();
        d.join("b").unwrap();
        // A forged sender, an extra field and an alias: none reaches the peer.
        let frame =
            r#"{"type":"answer","from":"mallory","to":"b","x":1,"sdp":"v=0\r\na=\u0041\/"}"#;
        let e = d.send("a", frame).unwrap();
        let [Effect::Deliver { message, .. }] = e.as_slice() else {
            panic!("one delivery: {e:?}")
        };
        assert_eq!(
            message.to_json(),
            r#"{"type":"answer","from":"a","sdp":"v=0\r\na=\u0041\/"}"#
        );
        let ServerMessage::Answer { sdp, .. } = message else {
            panic!("{message:?}")
        };
        assert_eq!(sdp.as_str(), "v=0\r\na=A/", "checked as its text");
    }

    #[test]
    fn viewers_may_only_receive_media() {
        let mut d = Driver::new(10);
        d.join("a").unwrap();
        d.join_as("v", Some(Role::Viewer)).unwrap();
        let send = "v=0\r\nm=video 9 UDP 96\r\na=sendrecv\r\n";
        let recv = "v=0\r\nm=video 9 UDP 96\r\na=recvonly\r\n";
        assert_eq!(
            d.send("v", &sdp_msg("answer", send)).unwrap_err().code,
            ErrorCode::MediaNotAllowed
        );
        assert!(d.send("v", &sdp_msg("answer", recv)).is_ok());
        assert_eq!(
            d.send(
                "v",
                r#"{"type":"media-control","kind":"audio","muted":false}"#
            )
            .unwrap_err()
            .code,
            ErrorCode::MediaNotAllowed
        );
    }

    fn sdp_msg(ty: &str, sdp: &str) -> String {
        sdp_to(ty, "a", sdp)
    }

    fn sdp_to(ty: &str, target: &str, sdp: &str) -> String {
        format!(
            r#"{{"type":"{ty}","target":"{target}","sdp":{}}}"#,
            serde_json::to_string(sdp).unwrap()
        )
    }

    /// Outcome of an offer and of an answer with `sdp` from `user`: `None`
    /// when relayed, else the error's code and message.
    fn try_sdp(d: &mut Driver, user: &str, sdp: &str) -> Option<(ErrorCode, String)> {
        let to = if user == "a" { "v" } else { "a" };
        let r = ["offer", "answer"].map(|ty| d.send(user, &sdp_to(ty, to, sdp)).err());
        assert_eq!(r[0], r[1], "offers and answers are checked alike");
        r[0].clone().map(|e| (e.code, e.message))
    }

    #[test]
    fn each_media_section_is_held_to_the_senders_permissions() {
        let mut d = Driver::new(10);
        d.join("a").unwrap();
        d.join_as("v", Some(Role::Viewer)).unwrap();
        d.join("p").unwrap();
        let p = d.room.participant_mut(&uid("p")).unwrap();
        p.permissions.can_share_video = false; // audio and screen only
        let audio = "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n";
        let video = "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n";
        let data = "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n";
        let sdp = |parts: &[&str]| format!("v=0\r\n{}", parts.concat());
        let refused = |r: Option<(ErrorCode, String)>, kind: &str| {
            let (code, msg) = r.expect("refused");
            assert_eq!(code, ErrorCode::MediaNotAllowed);
            assert!(msg.contains(&format!("m={kind}")), "{msg}");
        };
        // No direction at all is sendrecv; so is a session-level one.
        refused(try_sdp(&mut d, "v", &sdp(&[audio])), "audio");
        refused(
            try_sdp(&mut d, "v", &sdp(&["a=sendrecv\r\n", video])),
            "video",
        );
        // Receive-only, inactive, rejected (port 0) and data channels pass.
        let quiet = sdp(&[
            audio,
            "a=recvonly\r\n",
            video,
            "a=inactive\r\n",
            "m=video 0 UDP/TLS/RTP/SAVPF 96\r\na=sendrecv\r\n",
            data,
        ]);
        assert_eq!(try_sdp(&mut d, "v", &quiet), None);
        // Audio allowed, video not: named by kind.
        assert_eq!(try_sdp(&mut d, "p", &sdp(&[audio, "a=sendrecv\r\n"])), None);
        refused(
            try_sdp(
                &mut d,
                "p",
                &sdp(&[audio, "a=sendrecv\r\n", video, "a=sendonly\r\n"]),
            ),
            "video",
        );
        // A screen share (a=content:slides) needs the screen permission and
        // the room allowing it; plain video may be sent while sharing.
        let slides = sdp(&[video, "a=content:slides\r\na=sendonly\r\n"]);
        assert_eq!(try_sdp(&mut d, "p", &slides), None);
        refused(try_sdp(&mut d, "p", &sdp(&[video])), "video");
        d.send("p", r#"{"type":"screen-share-control","action":"start"}"#)
            .unwrap();
        assert_eq!(try_sdp(&mut d, "p", &sdp(&[video])), None);
        d.room.settings.screen_share_allowed = false;
        refused(try_sdp(&mut d, "p", &slides), "video");
        // The host may send everything.
        assert_eq!(try_sdp(&mut d, "a", &sdp(&[audio, video, data])), None);
        // A malformed m= line is not SDP.
        assert_eq!(
            try_sdp(&mut d, "v", "v=0\r\nm=audio\r\n").map(|e| e.0),
            Some(ErrorCode::InvalidSdp)
        );
    }

    #[test]
    fn e2ee_payloads_are_structurally_checked_and_relayed_verbatim() {
        let mut d = Driver::new(10);
        d.join("a").unwrap();
        d.join("b").unwrap();
        let e = d
            .send(
                "a",
                r#"{"type":"e2ee-key-exchange","target":"b","key_id":7,"public_key":"AAECAw=="}"#,
            )
            .unwrap();
        assert_eq!(
            delivered_to(&e, "e2ee-key-exchange"),
            vec![vec!["b".to_string()]]
        );
        let bad = d.send(
            "a",
            r#"{"type":"e2ee-key-exchange","target":"b","key_id":7,"public_key":"not base64!"}"#,
        );
        assert_eq!(bad.unwrap_err().code, ErrorCode::InvalidE2eePayload);
        let huge = format!(
            r#"{{"type":"e2ee-ratchet-update","key_id":1,"generation":1,"encrypted_key":"{}"}}"#,
            "A".repeat(4000)
        );
        assert_eq!(
            d.send("a", &huge).unwrap_err().code,
            ErrorCode::InvalidE2eePayload
        );
    }
}

//! Just enough SDP (RFC 8866, offer/answer RFC 3264) to tell which media
//! sections of a description would send media, so the engine can hold each
//! section to the sender's permissions.
//!
//! The parse is tolerant (lines it does not need are skipped, so every
//! browser's SDP passes) but reads every doubtful line the way that
//! *sends*, because what matters is how the receiving browser reads it:
//!
//! - a section without its own direction sends (`sendrecv` is the default,
//!   RFC 3264 §5.1). A session-level `sendrecv`/`sendonly` is inherited, but
//!   a session-level `recvonly`/`inactive` is not trusted: Chromium ignores
//!   session-level directions and reads such a section as `sendrecv`;
//! - a section sends if any of its direction lines sends (Chromium keeps the
//!   last, RFC 8866 allows one); `a=sendrecv…` and `a=sendonly…` count
//!   whatever follows them, `a=recvonly` and `a=inactive` only when exact;
//! - a last line without a newline (Chromium drops it) counts only if it
//!   adds sending;
//! - port 0 without `a=bundle-only` (RFC 8843) rejects the section: no
//!   media flows in it whatever its direction says.
//!
//! Kinds are compared without case; `a=content:slides` (RFC 4796) marks a
//! screen or slide share.

use std::fmt;

/// The direction attribute of a session or media section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// `a=sendrecv`, also the meaning of no direction at all.
    SendRecv,
    /// `a=sendonly`.
    SendOnly,
    /// `a=recvonly`.
    RecvOnly,
    /// `a=inactive`.
    Inactive,
}

impl Direction {
    /// Whether media flows from the description's author.
    pub fn sends(self) -> bool {
        matches!(self, Direction::SendRecv | Direction::SendOnly)
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Direction::SendRecv => "sendrecv",
            Direction::SendOnly => "sendonly",
            Direction::RecvOnly => "recvonly",
            Direction::Inactive => "inactive",
        })
    }
}

/// One `m=` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaSection {
    /// The media kind: `audio`, `video`, `application`, `text`, …
    pub kind: String,
    /// The port of the `m=` line.
    pub port: u32,
    /// The direction it is read with (see the module notes).
    pub direction: Direction,
    /// Marked `a=content:slides` (RFC 4796): a screen or slide share.
    pub slides: bool,
    /// Marked `a=bundle-only` (RFC 8843): port 0 then does not reject it.
    pub bundle_only: bool,
}

impl MediaSection {
    /// Port 0 without `a=bundle-only`: the section is rejected or removed,
    /// and no media flows in it whatever its direction says.
    pub fn is_rejected(&self) -> bool {
        self.port == 0 && !self.bundle_only
    }

    /// Whether the author would send media in this section.
    pub fn sends(&self) -> bool {
        !self.is_rejected() && self.direction.sends()
    }
}

/// The parts of a session description the permission check needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionDescription {
    /// The session-level direction attribute, if any (a sending one wins).
    pub direction: Option<Direction>,
    /// The media sections in order.
    pub media: Vec<MediaSection>,
}

struct Pending {
    kind: String,
    port: u32,
    sends: bool,
    holds: Option<Direction>,
    slides: bool,
    bundle_only: bool,
}

/// A direction line: `Some(d)` if it names one. Sending ones are matched by
/// prefix, the others only exactly (see the module notes).
fn direction_of(attribute: &str) -> Option<Direction> {
    let lower = attribute.to_ascii_lowercase();
    if lower.starts_with("sendrecv") {
        Some(Direction::SendRecv)
    } else if lower.starts_with("sendonly") {
        Some(Direction::SendOnly)
    } else {
        match attribute {
            "recvonly" => Some(Direction::RecvOnly),
            "inactive" => Some(Direction::Inactive),
            _ => None,
        }
    }
}

/// Parses `sdp`. Errors say which `m=` line is malformed.
pub fn parse(sdp: &str) -> Result<SessionDescription, String> {
    let mut session: Option<Direction> = None;
    let mut sections: Vec<Pending> = Vec::new();
    for raw in sdp.split_inclusive('\n') {
        let terminated = raw.ends_with('\n');
        let line = raw.strip_suffix('\n').unwrap_or(raw);
        let line = line.strip_suffix('\r').unwrap_or(line);
        if let Some(m) = line.strip_prefix("m=") {
            let mut f = m.split_ascii_whitespace();
            let (Some(kind), Some(port)) = (f.next(), f.next()) else {
                return Err(format!("malformed m= line: {m:?}"));
            };
            // `<port>` or `<port>/<number of ports>`.
            let port = port
                .split('/')
                .next()
                .and_then(|p| p.parse::<u32>().ok())
                .filter(|p| *p <= 65_535)
                .ok_or_else(|| format!("malformed port in m={kind} line"))?;
            sections.push(Pending {
                kind: kind.to_ascii_lowercase(),
                port,
                sends: false,
                holds: None,
                slides: false,
                bundle_only: false,
            });
            continue;
        }
        let Some(a) = line.strip_prefix("a=") else {
            continue;
        };
        let dir = direction_of(a).filter(|d| terminated || d.sends());
        match sections.last_mut() {
            None => {
                if let Some(d) = dir {
                    session = Some(match session {
                        Some(old) if old.sends() => old,
                        _ => d,
                    });
                }
            }
            Some(s) => match dir {
                Some(d) if d.sends() => {
                    if !s.sends {
                        s.sends = true;
                        s.holds = Some(d);
                    }
                }
                Some(d) => {
                    if s.holds.is_none() {
                        s.holds = Some(d);
                    }
                }
                None if a.starts_with("bundle-only") => s.bundle_only = true,
                None => {
                    if let Some(c) = a.strip_prefix("content:") {
                        s.slides |= c.split(',').any(|v| v.trim() == "slides");
                    }
                }
            },
        }
    }
    let inherited = session.filter(|d| d.sends()).unwrap_or(Direction::SendRecv);
    Ok(SessionDescription {
        direction: session,
        media: sections
            .into_iter()
            .map(|p| MediaSection {
                kind: p.kind,
                port: p.port,
                direction: p.holds.unwrap_or(inherited),
                slides: p.slides,
                bundle_only: p.bundle_only,
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dirs(sdp: &str) -> Vec<(String, Direction, bool)> {
        parse(sdp)
            .unwrap()
            .media
            .into_iter()
            .map(|m| (m.kind.clone(), m.direction, m.sends()))
            .collect()
    }

    #[test]
    fn no_direction_means_sendrecv() {
        let d = dirs("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n");
        assert_eq!(d, vec![("audio".into(), Direction::SendRecv, true)]);
    }

    #[test]
    fn session_level_sending_is_inherited_and_media_level_overrides() {
        let sdp = "v=0\na=sendrecv\nm=audio 9 RTP/AVP 0\nm=video 9 RTP/AVP 96\na=recvonly\n";
        assert_eq!(parse(sdp).unwrap().direction, Some(Direction::SendRecv));
        assert_eq!(
            dirs(sdp),
            vec![
                ("audio".into(), Direction::SendRecv, true),
                ("video".into(), Direction::RecvOnly, false),
            ]
        );
        // Chromium ignores a session-level recvonly: the section still sends.
        let d = dirs("v=0\na=recvonly\nm=audio 9 RTP/AVP 0\n");
        assert_eq!(d, vec![("audio".into(), Direction::SendRecv, true)]);
    }

    #[test]
    fn recvonly_and_inactive_send_nothing() {
        let d = dirs("v=0\nm=audio 9 RTP/AVP 0\na=recvonly\nm=video 9 RTP/AVP 96\na=inactive\n");
        assert!(d.iter().all(|(_, _, sends)| !sends), "{d:?}");
    }

    #[test]
    fn rejected_sections_send_nothing_unless_bundle_only() {
        let d = dirs("v=0\nm=video 0 RTP/AVP 96\na=sendrecv\n");
        assert_eq!(d, vec![("video".into(), Direction::SendRecv, false)]);
        let d = dirs("v=0\nm=video 0 RTP/AVP 96\na=bundle-only\na=sendrecv\n");
        assert_eq!(d, vec![("video".into(), Direction::SendRecv, true)]);
    }

    #[test]
    fn doubtful_lines_are_read_the_way_that_sends() {
        let sends = |sdp: &str| parse(sdp).unwrap().media[0].sends();
        assert!(sends("v=0\nm=audio 9 RTP/AVP 0\na=recvonly\na=sendrecv\n"));
        assert!(sends("v=0\nm=audio 9 RTP/AVP 0\na=sendrecv\na=recvonly\n"));
        assert!(sends(
            "v=0\nm=audio 9 RTP/AVP 0\na=recvonly\na=sendrecv:x\n"
        ));
        assert!(sends("v=0\nm=audio 9 RTP/AVP 0\na= recvonly\n"));
        assert!(sends("v=0\nm=audio 9 RTP/AVP 0\na=recvonly\r\r\n"));
        assert!(
            sends("v=0\nm=audio 9 RTP/AVP 0\na=recvonly"),
            "unterminated"
        );
        assert!(!sends("v=0\r\nm=audio 9 RTP/AVP 0\r\na=recvonly\r\n"));
        assert!(sends("v=0\nm=AUDIO 9 RTP/AVP 0\n"));
        assert_eq!(
            parse("v=0\nm=AUDIO 9 RTP/AVP 0\n").unwrap().media[0].kind,
            "audio"
        );
    }

    #[test]
    fn slides_ports_and_malformed_lines() {
        let p = parse("v=0\nm=video 9/2 RTP/AVP 96\na=content:main,slides\n").unwrap();
        assert!(p.media[0].slides && p.media[0].port == 9);
        assert!(parse("v=0\nm=video\n").is_err());
        assert!(parse("v=0\nm=video x RTP/AVP 96\n").is_err());
        assert!(parse("v=0\nm=video 70000 RTP/AVP 96\n").is_err());
    }
}

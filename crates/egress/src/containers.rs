//! The containers each decoder reads on its standard input: IVF for VP8
//! and VP9 frames, Ogg for Opus packets, and H.264 as its Annex B byte
//! stream. Timestamps are the RTP clock's, from the track's first frame.

use crate::Codec;

/// Writes one track's frames as the bytes of its container.
pub struct Muxer {
    codec: Codec,
    first: Option<u64>,
    ogg: Option<ogg::PacketWriter<'static, Vec<u8>>>,
    /// The frame before, for Ogg (a packet is written once the next one
    /// tells its granule position ends).
    held: Option<(Vec<u8>, u64)>,
}

/// The serial number of the one Ogg stream.
const SERIAL: u32 = 0x5254_4331;

impl Muxer {
    /// A muxer for `codec`.
    pub fn new(codec: Codec) -> Self {
        Muxer {
            codec,
            first: None,
            ogg: None,
            held: None,
        }
    }

    /// The container's header, then nothing more until frames come.
    pub fn header(&mut self) -> Vec<u8> {
        match self.codec {
            Codec::Vp8 | Codec::Vp9 => ivf_header(self.codec),
            Codec::H264 => vec![],
            Codec::Opus => {
                let mut w = ogg::PacketWriter::new(Vec::new());
                let mut head = b"OpusHead".to_vec();
                head.push(1); // version
                head.push(2); // channels
                head.extend(0u16.to_le_bytes()); // pre-skip
                head.extend(48_000u32.to_le_bytes());
                head.extend(0i16.to_le_bytes()); // gain
                head.push(0); // mapping family
                let vendor = b"rtc-backend";
                let mut tags = b"OpusTags".to_vec();
                tags.extend((vendor.len() as u32).to_le_bytes());
                tags.extend(vendor);
                tags.extend(0u32.to_le_bytes());
                let page = ogg::PacketWriteEndInfo::EndPage;
                // Writing into a Vec cannot fail.
                let _ = w.write_packet(head, SERIAL, page, 0);
                let _ = w.write_packet(tags, SERIAL, page, 0);
                let out = std::mem::take(w.inner_mut());
                self.ogg = Some(w);
                out
            }
        }
    }

    /// The bytes of one frame sent at RTP time `rtp_time`.
    pub fn frame(&mut self, rtp_time: u64, data: &[u8]) -> Vec<u8> {
        let first = *self.first.get_or_insert(rtp_time);
        let t = rtp_time.saturating_sub(first);
        match self.codec {
            Codec::Vp8 | Codec::Vp9 => {
                let mut out = Vec::with_capacity(12 + data.len());
                out.extend((data.len() as u32).to_le_bytes());
                out.extend(t.to_le_bytes());
                out.extend(data);
                out
            }
            Codec::H264 => data.to_vec(),
            Codec::Opus => {
                let Some(w) = self.ogg.as_mut() else {
                    return vec![];
                };
                // A packet's granule position is where it ends: the next
                // packet's start.
                if let Some((held, _)) = self.held.take() {
                    let _ = w.write_packet(held, SERIAL, ogg::PacketWriteEndInfo::EndPage, t);
                }
                self.held = Some((data.to_vec(), t));
                std::mem::take(w.inner_mut())
            }
        }
    }
}

/// An IVF file header (its frame count and size are not read by ffmpeg's
/// decoders, which take the size from the frames).
fn ivf_header(codec: Codec) -> Vec<u8> {
    let mut h = Vec::with_capacity(32);
    h.extend(b"DKIF");
    h.extend(0u16.to_le_bytes()); // version
    h.extend(32u16.to_le_bytes()); // header size
    h.extend(if codec == Codec::Vp9 {
        b"VP90"
    } else {
        b"VP80"
    });
    h.extend(640u16.to_le_bytes());
    h.extend(360u16.to_le_bytes());
    h.extend(90_000u32.to_le_bytes()); // time base: the RTP clock
    h.extend(1u32.to_le_bytes());
    h.extend(0u32.to_le_bytes()); // frame count
    h.extend(0u32.to_le_bytes());
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ivf_frames_carry_size_and_time_from_the_first() {
        let mut m = Muxer::new(Codec::Vp8);
        let h = m.header();
        assert_eq!(
            (&h[..4], h.len(), &h[8..12]),
            (&b"DKIF"[..], 32, &b"VP80"[..])
        );
        m.frame(1000, b"abc");
        let f = m.frame(4000, b"xy");
        assert_eq!(&f[..4], &2u32.to_le_bytes());
        assert_eq!(&f[4..12], &3000u64.to_le_bytes());
        assert_eq!(&f[12..], b"xy");
    }

    #[test]
    fn opus_packets_become_an_ogg_stream_that_reads_back() {
        let mut m = Muxer::new(Codec::Opus);
        let mut bytes = m.header();
        for i in 0..4u64 {
            bytes.extend(m.frame(10_000 + i * 960, &[i as u8; 20]));
        }
        let mut r = ogg::PacketReader::new(std::io::Cursor::new(bytes));
        let head = r.read_packet().unwrap().unwrap();
        assert!(head.data.starts_with(b"OpusHead"));
        let tags = r.read_packet().unwrap().unwrap();
        assert!(tags.data.starts_with(b"OpusTags"));
        let mut ends = vec![];
        while let Ok(Some(p)) = r.read_packet() {
            ends.push((p.data[0], p.absgp_page()));
        }
        // Packets 0..2 are out (the last waits for its end).
        assert_eq!(ends, [(0, 960), (1, 1920), (2, 2880)]);
    }
}

//! Where each video goes on the canvas: `grid` (up to nine tiles, the
//! smallest square that holds them) or `speaker` (the active speaker's
//! video on the whole canvas).

/// A rectangle of the canvas, in pixels; even sizes and offsets (the
/// chroma planes are half size).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width.
    pub w: u32,
    /// Height.
    pub h: u32,
}

/// How the composite is laid out: every video (up to [`MAX_TILES`]) in a
/// square grid, in order, or the active speaker's video on the whole
/// canvas. The recording crate's type, so a room's stream or recording
/// layout is handed over as it is.
pub use recording::Layout;

/// Most tiles of a grid (3 × 3); later videos are not shown.
pub const MAX_TILES: usize = 9;

fn even(v: u32) -> u32 {
    v & !1
}

/// The tiles of `videos` (ids, in showing order) on a `w` × `h` canvas.
/// `speaker` names the active speaker's video for [`Layout::Speaker`]
/// (when it has none, the first video shows).
pub fn tiles<'a>(
    layout: Layout,
    w: u32,
    h: u32,
    videos: &'a [String],
    speaker: Option<&str>,
) -> Vec<(&'a str, Rect)> {
    if videos.is_empty() {
        return vec![];
    }
    let full = Rect { x: 0, y: 0, w, h };
    match layout {
        Layout::Speaker => {
            let shown = speaker
                .and_then(|s| videos.iter().find(|v| v.as_str() == s))
                .unwrap_or(&videos[0]);
            vec![(shown.as_str(), full)]
        }
        Layout::Grid => {
            let n = videos.len().min(MAX_TILES);
            let side = (1..=3).find(|s| s * s >= n).unwrap_or(3) as u32;
            let (tw, th) = (even(w / side), even(h / side));
            videos
                .iter()
                .take(n)
                .enumerate()
                .map(|(i, v)| {
                    let (col, row) = (i as u32 % side, i as u32 / side);
                    (
                        v.as_str(),
                        Rect {
                            x: col * tw,
                            y: row * th,
                            w: tw,
                            h: th,
                        },
                    )
                })
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("v{i}")).collect()
    }

    #[test]
    fn a_grid_is_the_smallest_square_that_holds_the_videos() {
        assert!(tiles(Layout::Grid, 1280, 720, &[], None).is_empty());
        let single = ids(1);
        let one = tiles(Layout::Grid, 1280, 720, &single, None);
        assert_eq!(
            one,
            [(
                "v0",
                Rect {
                    x: 0,
                    y: 0,
                    w: 1280,
                    h: 720
                }
            )]
        );
        let three = ids(3);
        let t = tiles(Layout::Grid, 1280, 720, &three, None);
        assert_eq!(
            t.iter()
                .map(|(_, r)| (r.x, r.y, r.w, r.h))
                .collect::<Vec<_>>(),
            [(0, 0, 640, 360), (640, 0, 640, 360), (0, 360, 640, 360)]
        );
        let twelve = ids(12);
        let t = tiles(Layout::Grid, 1280, 720, &twelve, None);
        assert_eq!(t.len(), MAX_TILES, "at most nine");
        assert_eq!(
            t[8].1,
            Rect {
                x: 852,
                y: 480,
                w: 426,
                h: 240
            }
        );
        assert!(
            t.iter()
                .all(|(_, r)| r.x % 2 == 0 && r.w % 2 == 0 && r.h % 2 == 0)
        );
    }

    #[test]
    fn the_speaker_layout_shows_the_speaker_or_else_the_first_video() {
        let v = ids(3);
        let full = Rect {
            x: 0,
            y: 0,
            w: 1280,
            h: 720,
        };
        assert_eq!(
            tiles(Layout::Speaker, 1280, 720, &v, Some("v2")),
            [("v2", full)]
        );
        assert_eq!(
            tiles(Layout::Speaker, 1280, 720, &v, Some("gone")),
            [("v0", full)]
        );
        assert_eq!(tiles(Layout::Speaker, 1280, 720, &v, None), [("v0", full)]);
    }
}

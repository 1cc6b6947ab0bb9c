//! Planar YUV 4:2:0 pictures (what the decoders give and the encoder
//! takes) and the one drawing operation the composite needs: a picture
//! scaled into a rectangle (nearest neighbour).

use crate::layout::Rect;

/// A picture in I420: the Y plane, then U and V at half size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct I420 {
    /// Width (even).
    pub w: u32,
    /// Height (even).
    pub h: u32,
    /// `w * h * 3 / 2` bytes.
    pub data: Vec<u8>,
}

/// Bytes of an I420 picture of `w` × `h`.
pub fn i420_len(w: u32, h: u32) -> usize {
    (w * h + 2 * (w / 2) * (h / 2)) as usize
}

impl I420 {
    /// A black picture.
    pub fn black(w: u32, h: u32) -> Self {
        let mut p = I420 {
            w,
            h,
            data: vec![0; i420_len(w, h)],
        };
        p.clear();
        p
    }

    /// A picture of `data` (which must be [`i420_len`] long).
    pub fn from_bytes(w: u32, h: u32, data: Vec<u8>) -> Option<Self> {
        (data.len() == i420_len(w, h)).then_some(I420 { w, h, data })
    }

    /// Paints it black (Y 16, U and V 128: video-range black).
    pub fn clear(&mut self) {
        let y = (self.w * self.h) as usize;
        self.data[..y].fill(16);
        self.data[y..].fill(128);
    }

    fn planes(&self) -> (usize, usize, u32, u32) {
        let y = (self.w * self.h) as usize;
        let (cw, ch) = (self.w / 2, self.h / 2);
        (y, y + (cw * ch) as usize, cw, ch)
    }

    /// The (Y, U, V) of pixel (`x`, `y`).
    pub fn pixel(&self, x: u32, y: u32) -> (u8, u8, u8) {
        let (u0, v0, cw, _) = self.planes();
        let c = ((y / 2) * cw + x / 2) as usize;
        (
            self.data[(y * self.w + x) as usize],
            self.data[u0 + c],
            self.data[v0 + c],
        )
    }

    /// Draws `src` scaled into `r` (clipped to this picture).
    pub fn draw(&mut self, src: &I420, r: Rect) {
        let r = Rect {
            w: r.w.min(self.w.saturating_sub(r.x)),
            h: r.h.min(self.h.saturating_sub(r.y)),
            ..r
        };
        if r.w == 0 || r.h == 0 || src.w == 0 || src.h == 0 {
            return;
        }
        // Source column of each destination column, once per row.
        let xs: Vec<usize> = (0..r.w).map(|x| (x * src.w / r.w) as usize).collect();
        for y in 0..r.h {
            let sy = (y * src.h / r.h) as usize;
            let srow = &src.data[sy * src.w as usize..][..src.w as usize];
            let d = ((r.y + y) * self.w + r.x) as usize;
            for (x, sx) in xs.iter().enumerate() {
                self.data[d + x] = srow[*sx];
            }
        }
        let (su0, sv0, scw, _) = src.planes();
        let (du0, dv0, dcw, _) = self.planes();
        let (cw, ch) = (r.w / 2, r.h / 2);
        let cxs: Vec<usize> = (0..cw).map(|x| (x * scw / cw.max(1)) as usize).collect();
        for y in 0..ch {
            let sy = (y * (src.h / 2) / ch) as usize;
            let d = ((r.y / 2 + y) * dcw + r.x / 2) as usize;
            for (x, sx) in cxs.iter().enumerate() {
                let s = sy * scw as usize + sx;
                self.data[du0 + d + x] = src.data[su0 + s];
                self.data[dv0 + d + x] = src.data[sv0 + s];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn solid(w: u32, h: u32, yuv: (u8, u8, u8)) -> I420 {
        let mut p = I420::black(w, h);
        let (u0, v0, _, _) = p.planes();
        p.data[..u0].fill(yuv.0);
        p.data[u0..v0].fill(yuv.1);
        p.data[v0..].fill(yuv.2);
        p
    }

    #[test]
    fn a_picture_drawn_into_a_rectangle_fills_it_and_nothing_else() {
        let mut canvas = I420::black(64, 36);
        let red = solid(32, 18, (81, 90, 240));
        canvas.draw(
            &red,
            Rect {
                x: 32,
                y: 0,
                w: 32,
                h: 18,
            },
        );
        assert_eq!(canvas.pixel(40, 10), (81, 90, 240));
        assert_eq!(canvas.pixel(63, 17), (81, 90, 240));
        assert_eq!(canvas.pixel(10, 10), (16, 128, 128), "left stays black");
        assert_eq!(canvas.pixel(40, 20), (16, 128, 128), "below stays black");
        // Scaled up and down.
        let mut big = I420::black(128, 72);
        big.draw(
            &red,
            Rect {
                x: 0,
                y: 0,
                w: 128,
                h: 72,
            },
        );
        assert_eq!(big.pixel(127, 71), (81, 90, 240));
        let mut small = I420::black(16, 8);
        small.draw(
            &red,
            Rect {
                x: 8,
                y: 4,
                w: 8,
                h: 4,
            },
        );
        assert_eq!(small.pixel(15, 7), (81, 90, 240));
        assert_eq!(small.pixel(7, 3), (16, 128, 128));
        // Clipped at the edge.
        small.draw(
            &red,
            Rect {
                x: 12,
                y: 0,
                w: 30,
                h: 30,
            },
        );
        assert_eq!(small.pixel(13, 0), (81, 90, 240));
    }
}

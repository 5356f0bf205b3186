//! Files the demo needs, made in code (no binary files in the repository): PNG
//! pictures (palette, uncompressed deflate), a stub MP4 header, a one-page PDF and CSV
//! tables.

/// CRC-32 (IEEE) as PNG chunks need it.
fn crc32(parts: &[&[u8]]) -> u32 {
    let mut crc = 0xffff_ffff_u32;
    for part in parts {
        for &b in *part {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
            }
        }
    }
    !crc
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &x in data {
        a = (a + u32::from(x)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc32(&[kind, data]).to_be_bytes());
}

/// A PNG of `w`×`h` palette pixels (`pixel(x, y)` is a palette index).
fn png(w: u32, h: u32, palette: &[[u8; 3]], pixel: impl Fn(u32, u32) -> u8) -> Vec<u8> {
    let mut raw = Vec::with_capacity(((w + 1) * h) as usize);
    for y in 0..h {
        raw.push(0); // filter: none
        for x in 0..w {
            raw.push(pixel(x, y));
        }
    }
    // zlib stream of stored (uncompressed) deflate blocks.
    let mut z = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        z.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        z.extend_from_slice(&len.to_le_bytes());
        z.extend_from_slice(&(!len).to_le_bytes());
        z.extend_from_slice(block);
    }
    z.extend_from_slice(&adler32(&raw).to_be_bytes());

    let mut out = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 3, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    let plte: Vec<u8> = palette.iter().flatten().copied().collect();
    chunk(&mut out, b"PLTE", &plte);
    chunk(&mut out, b"IDAT", &z);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// Colour schemes: sky top, sky bottom, hills, water, buildings, sun.
const SCHEMES: &[[[u8; 3]; 6]] = &[
    [[120, 170, 225], [200, 225, 245], [70, 140, 80], [60, 120, 170], [190, 60, 50], [250, 210, 90]],
    [[240, 170, 120], [250, 220, 180], [90, 120, 70], [70, 110, 150], [150, 150, 160], [255, 240, 200]],
    [[90, 140, 200], [170, 210, 240], [110, 160, 60], [50, 100, 160], [230, 230, 225], [255, 230, 120]],
    [[150, 190, 220], [225, 235, 240], [60, 110, 90], [90, 140, 180], [180, 40, 40], [250, 250, 220]],
];

/// A landscape picture (sky gradient, sun, hills, water, a row of buildings), varied
/// by `n`.
pub fn landscape(n: u32, w: u32, h: u32) -> Vec<u8> {
    let s = SCHEMES[(n as usize) % SCHEMES.len()];
    // Palette: 8 sky shades, then hills, water, buildings, sun, windows.
    let mut palette = Vec::with_capacity(13);
    for i in 0..8u32 {
        let mix = |a: u8, b: u8| ((u32::from(a) * (7 - i) + u32::from(b) * i) / 7) as u8;
        palette.push([mix(s[0][0], s[1][0]), mix(s[0][1], s[1][1]), mix(s[0][2], s[1][2])]);
    }
    palette.extend_from_slice(&[s[2], s[3], s[4], s[5], [250, 245, 210]]);
    let phase = n.wrapping_mul(37) % 97;
    let sun_x = (w / 5 + (n * 53) % (w / 2)) as i64;
    let sun_y = (h / 5) as i64;
    let sun_r = (h / 10).max(4) as i64;
    png(w, h, &palette, |x, y| {
        let horizon = h * 3 / 5;
        // A wavy hill line from two triangle waves.
        let tri = |period: u32, amp: u32, x: u32| {
            let p = (x + phase * 7) % period;
            let half = period / 2;
            (if p < half { p } else { period - p }) * amp / half.max(1)
        };
        let hill = horizon - tri(w / 2 + 1, h / 6, x) - tri(w / 5 + 1, h / 16, x + 13);
        let block = x / (w / 14).max(1);
        let building_top = horizon - (h / 12) - ((block * 7 + n) % 5) * (h / 30);
        let in_building = y >= building_top && y < horizon && !(block + n).is_multiple_of(3);
        let (dx, dy) = (i64::from(x) - sun_x, i64::from(y) - sun_y);
        if in_building {
            let window = (x % 9 < 4) && (y % 11 < 5) && y > building_top + 3;
            if window { 12 } else { 10 }
        } else if y >= horizon + h / 8 {
            9
        } else if y >= hill {
            8
        } else if dx * dx + dy * dy <= sun_r * sun_r {
            11
        } else {
            ((y * 8) / horizon.max(1)).min(7) as u8
        }
    })
}

/// The first bytes of an MP4 file (`ftyp` box, brand `isom`): enough for type sniffing,
/// not a playable video. The demo's video news point at it.
pub fn mp4_stub() -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&32u32.to_be_bytes());
    v.extend_from_slice(b"ftypisom");
    v.extend_from_slice(&0x200u32.to_be_bytes());
    v.extend_from_slice(b"isomiso2avc1mp41");
    v.extend_from_slice(&8u32.to_be_bytes());
    v.extend_from_slice(b"free");
    v
}

/// A valid one-page PDF with a line of ASCII text.
pub fn pdf(line: &str) -> Vec<u8> {
    let text: String =
        line.chars().filter(|c| c.is_ascii_graphic() || *c == ' ').filter(|c| !"()\\".contains(*c)).collect();
    let stream = format!("BT /F1 18 Tf 72 720 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_string(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.push_str(&format!("{} 0 obj\n{o}\nendobj\n", i + 1));
    }
    let xref = out.len();
    out.push_str(&format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1));
    for off in offsets {
        out.push_str(&format!("{off:010} 00000 n \n"));
    }
    out.push_str(&format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1));
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_has_the_signature_and_a_valid_crc() {
        let p = landscape(1, 64, 40);
        assert!(p.starts_with(&[0x89, b'P', b'N', b'G']));
        // The IHDR CRC covers type and data.
        let crc = u32::from_be_bytes([p[29], p[30], p[31], p[32]]);
        assert_eq!(crc, crc32(&[&p[12..16], &p[16..29]]));
        assert_eq!(crc32(&[b"123456789"]), 0xcbf4_3926);
        assert_eq!(adler32(b"Wikipedia"), 0x11e6_0398);
    }

    #[test]
    fn pdf_and_mp4_have_their_magic() {
        assert!(pdf("Budget 2025").starts_with(b"%PDF-1.4"));
        assert_eq!(&mp4_stub()[4..12], b"ftypisom");
    }
}

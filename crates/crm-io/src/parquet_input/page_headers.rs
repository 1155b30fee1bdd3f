//! The page headers of a Parquet file, checked before the parquet crate
//! decodes a page: a page header declares its compressed and uncompressed
//! sizes (`i32`, up to 2 GB), and the decoder allocates the uncompressed size
//! before it decompresses. Here every page header of every column chunk is
//! read (Thrift compact protocol, only the two sizes kept, the rest
//! skipped) and a page that declares more data than its compressed bytes
//! can hold under the chunk's codec is refused as damaged. So a damaged
//! file never makes the reader allocate more than the file can hold.
//!
//! The bound is the codec's largest possible expansion of the page's
//! compressed bytes (those lie inside the file: the column chunk was
//! checked against the file's length): Snappy 32×, LZ4 and LZO 256×,
//! gzip 1,032× (deflate's maximum), zstd and Brotli 32,768× (zstd's RLE
//! block; Brotli is held to the same), plus 64 KiB for headers and tiny
//! pages. An uncompressed page is not decompressed (no allocation) but may
//! not declare more than its length. A header that cannot be read is left
//! to the decoder, which reports it.

use std::io::Read;

use parquet::basic::Compression;
use parquet::file::metadata::ParquetMetaData;
use parquet::file::reader::ChunkReader;

/// The sizes a page header declares, and the header's own length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PageSizes {
    pub(crate) header: u64,
    pub(crate) uncompressed: i32,
    pub(crate) compressed: i32,
}

/// The largest expansion of `codec` (module docs).
fn largest_expansion(codec: Compression) -> u64 {
    match codec {
        Compression::UNCOMPRESSED => 1,
        Compression::SNAPPY => 32,
        Compression::LZ4 | Compression::LZ4_RAW | Compression::LZO => 256,
        Compression::GZIP(_) => 1_032,
        Compression::ZSTD(_) | Compression::BROTLI(_) => 32_768,
    }
}

/// Whether a page of `sizes` under `codec` declares no more than its
/// compressed bytes can hold.
pub(crate) fn plausible(sizes: PageSizes, codec: Compression) -> bool {
    let (Ok(uncompressed), Ok(compressed)) = (
        u64::try_from(sizes.uncompressed),
        u64::try_from(sizes.compressed),
    ) else {
        return false;
    };
    let slack = if codec == Compression::UNCOMPRESSED {
        0
    } else {
        64 * 1024
    };
    uncompressed <= compressed.saturating_mul(largest_expansion(codec)) + slack
}

/// Walks every column chunk's page headers; the first page that is not
/// [`plausible`] is an error (the message for [`crate::IoError::Damaged`]).
pub(crate) fn check<R: ChunkReader>(source: &R, meta: &ParquetMetaData) -> Result<(), String> {
    for group in meta.row_groups() {
        for column in group.columns() {
            let start = column
                .dictionary_page_offset()
                .unwrap_or(column.data_page_offset());
            // Both checked against the file's length before.
            let (Ok(start), Ok(size)) = (
                u64::try_from(start),
                u64::try_from(column.compressed_size()),
            ) else {
                continue;
            };
            let end = start.saturating_add(size);
            let mut at = start;
            while at < end {
                let Ok(read) = source.get_read(at) else { break };
                let Some(sizes) = read_sizes(read.take(end - at)) else {
                    break;
                };
                if !plausible(sizes, column.compression()) {
                    return Err(format!(
                        "a page of column {} declares {} bytes, more than its {} compressed bytes can hold",
                        column.column_path(),
                        sizes.uncompressed,
                        sizes.compressed
                    ));
                }
                // Nonnegative: plausible.
                at = at
                    .saturating_add(sizes.header)
                    .saturating_add(sizes.compressed.unsigned_abs().into());
            }
        }
    }
    Ok(())
}

/// Reads one Thrift-compact `PageHeader` (fields 2 and 3 are the
/// uncompressed and compressed sizes); `None` when it is not one.
pub(crate) fn read_sizes<R: Read>(read: R) -> Option<PageSizes> {
    let mut thrift = Compact {
        bytes: std::io::BufReader::new(read).bytes(),
        consumed: 0,
    };
    let (mut uncompressed, mut compressed) = (None, None);
    let mut last = 0_i64;
    loop {
        let head = thrift.byte()?;
        if head == 0 {
            break;
        }
        let kind = head & 0x0f;
        let id = match head >> 4 {
            0 => zigzag(thrift.varint()?),
            delta => last + i64::from(delta),
        };
        last = id;
        match (id, kind) {
            (2, I32) => uncompressed = i32::try_from(zigzag(thrift.varint()?)).ok(),
            (3, I32) => compressed = i32::try_from(zigzag(thrift.varint()?)).ok(),
            _ => thrift.skip(kind, 0)?,
        }
    }
    Some(PageSizes {
        header: thrift.consumed,
        uncompressed: uncompressed?,
        compressed: compressed?,
    })
}

const I32: u8 = 5;

fn zigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// A Thrift compact-protocol reader that only skips.
struct Compact<B> {
    bytes: B,
    consumed: u64,
}

impl<B: Iterator<Item = std::io::Result<u8>>> Compact<B> {
    fn byte(&mut self) -> Option<u8> {
        let b = self.bytes.next()?.ok()?;
        self.consumed += 1;
        Some(b)
    }

    fn varint(&mut self) -> Option<u64> {
        let mut v = 0_u64;
        for shift in (0..70).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f).checked_shl(shift)?;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }

    /// Skips a value of compact type `kind` (nesting at most 32 deep).
    fn skip(&mut self, kind: u8, depth: u32) -> Option<()> {
        if depth > 32 {
            return None;
        }
        match kind {
            // Booleans in a struct field live in the type nibble.
            1 | 2 => {}
            3 => {
                self.byte()?;
            }
            4..=6 => {
                self.varint()?;
            }
            7 => {
                for _ in 0..8 {
                    self.byte()?;
                }
            }
            8 => {
                let len = self.varint()?;
                for _ in 0..len {
                    self.byte()?;
                }
            }
            9 | 10 => {
                let head = self.byte()?;
                let size = match head >> 4 {
                    15 => self.varint()?,
                    n => u64::from(n),
                };
                for _ in 0..size {
                    self.element(head & 0x0f, depth)?;
                }
            }
            11 => {
                let size = self.varint()?;
                if size > 0 {
                    let kinds = self.byte()?;
                    for _ in 0..size {
                        self.element(kinds >> 4, depth)?;
                        self.element(kinds & 0x0f, depth)?;
                    }
                }
            }
            12 => loop {
                let head = self.byte()?;
                if head == 0 {
                    break;
                }
                if head >> 4 == 0 {
                    self.varint()?;
                }
                self.skip(head & 0x0f, depth + 1)?;
            },
            _ => return None,
        }
        Some(())
    }

    /// A list, set or map element: booleans take a byte there.
    fn element(&mut self, kind: u8, depth: u32) -> Option<()> {
        if kind == 1 || kind == 2 {
            self.byte().map(|_| ())
        } else {
            self.skip(kind, depth + 1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A crafted header: type DATA_PAGE, uncompressed 2^31 − 1 bytes,
    /// compressed 10, and a data page header struct (num_values 3, encodings).
    fn crafted(uncompressed: i32) -> Vec<u8> {
        let mut out = vec![0x15, 0x00]; // field 1, i32: 0
        out.push(0x15); // field 2, i32
        varint(
            &mut out,
            ((i64::from(uncompressed) << 1) ^ (i64::from(uncompressed) >> 63)) as u64,
        );
        out.push(0x15); // field 3, i32
        varint(&mut out, 20); // zigzag(10)
        out.push(0x2c); // field 5, struct
        out.extend([0x15, 0x06, 0x15, 0x00, 0x15, 0x06, 0x15, 0x06, 0x00]);
        out.push(0x00); // stop
        out
    }

    fn varint(out: &mut Vec<u8>, mut v: u64) {
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }

    #[test]
    fn a_crafted_2_gb_page_header_is_read_and_refused() {
        let bytes = crafted(i32::MAX);
        let sizes = read_sizes(&bytes[..]).unwrap();
        assert_eq!(
            sizes,
            PageSizes {
                header: bytes.len() as u64,
                uncompressed: i32::MAX,
                compressed: 10
            }
        );
        for codec in [
            Compression::UNCOMPRESSED,
            Compression::SNAPPY,
            Compression::LZ4_RAW,
            Compression::GZIP(Default::default()),
            Compression::ZSTD(Default::default()),
        ] {
            assert!(!plausible(sizes, codec), "{codec:?}");
        }
        // Within what 10 compressed bytes can hold: accepted.
        let small = read_sizes(&crafted(300)[..]).unwrap();
        assert!(plausible(small, Compression::SNAPPY));
        assert!(!plausible(small, Compression::UNCOMPRESSED));
        // Negative sizes, truncated and over-nested headers.
        assert!(!plausible(
            read_sizes(&crafted(-1)[..]).unwrap(),
            Compression::SNAPPY
        ));
        assert_eq!(read_sizes(&bytes[..bytes.len() - 1]), None);
        assert_eq!(read_sizes(&[0x1c_u8; 100][..]), None);
    }
}

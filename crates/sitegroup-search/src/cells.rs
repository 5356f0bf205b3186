//! The (site, kind) cell of every document of a segment, read once per segment and
//! kept while the segment lives, so that counting the matches of a query by site and by
//! kind costs one array read per match instead of two column reads.
//!
//! Segments never change once written (deletes only hide documents), so a segment's
//! table never goes stale; tables of segments that left the index (merged away) are
//! dropped the next time a query runs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tantivy::index::SegmentId;
use tantivy::{DocId, Searcher, SegmentReader};

/// Largest counting table (sites × kinds), in cells; above it counts fall back to a map.
pub(crate) const DENSE_CELLS: u64 = 1 << 20;

/// The cells of one segment.
#[derive(Debug)]
pub(crate) struct SegmentCells {
    /// `site * width + kind ord` of each document, where `width` is the number of kinds
    /// in the segment + 1 (kind ord `width - 1`: no kind).
    cells: Vec<u32>,
}

impl SegmentCells {
    /// Reads the site and kind of every document of `segment`; `None` when sites ×
    /// kinds exceed [`DENSE_CELLS`].
    fn read(segment: &SegmentReader) -> tantivy::Result<Option<SegmentCells>> {
        let ff = segment.fast_fields();
        let site = ff.u64("site")?;
        let kind = ff.str("kind")?;
        let width = kind.as_ref().map_or(0, |k| k.num_terms() as u64) + 1;
        if site.max_value().saturating_add(1).saturating_mul(width) > DENSE_CELLS {
            return Ok(None);
        }
        let kind_ords = kind.as_ref().map(|k| k.ords().clone());
        let cells = (0..segment.max_doc())
            .map(|doc| {
                let site = site.first(doc).unwrap_or(0);
                let kind = kind_ords.as_ref().and_then(|k| k.first(doc)).unwrap_or(width - 1).min(width - 1);
                // Below DENSE_CELLS, so it fits.
                u32::try_from(site * width + kind).unwrap_or(u32::MAX)
            })
            .collect();
        Ok(Some(SegmentCells { cells }))
    }

    /// The cell of `doc`.
    #[inline]
    pub(crate) fn cell(&self, doc: DocId) -> u64 {
        self.cells.get(doc as usize).map_or(0, |&c| u64::from(c))
    }
}

/// The tables of the live segments of one index.
#[derive(Debug, Default)]
pub(crate) struct CellCache {
    tables: Mutex<HashMap<SegmentId, Option<Arc<SegmentCells>>>>,
}

impl CellCache {
    /// The table of `segment`, read on first use (`None`: too many cells to count
    /// densely).
    pub(crate) fn get(&self, segment: &SegmentReader) -> tantivy::Result<Option<Arc<SegmentCells>>> {
        let id = segment.segment_id();
        if let Some(t) = self.tables.lock().unwrap_or_else(PoisonError::into_inner).get(&id) {
            return Ok(t.clone());
        }
        // Read outside the lock: the other segments of the same query are read in parallel.
        let table = SegmentCells::read(segment)?.map(Arc::new);
        self.tables.lock().unwrap_or_else(PoisonError::into_inner).insert(id, table.clone());
        Ok(table)
    }

    /// Drops the tables of segments `searcher` no longer has.
    pub(crate) fn retain_live(&self, searcher: &Searcher) {
        let mut tables = self.tables.lock().unwrap_or_else(PoisonError::into_inner);
        if tables.len() > searcher.segment_readers().len() {
            let live: Vec<SegmentId> = searcher.segment_readers().iter().map(SegmentReader::segment_id).collect();
            tables.retain(|id, _| live.contains(id));
        }
    }
}

//! CSV downloads (quarter results, analytics): a header and rows of text.

use crate::error::{AppError, AppResult};

/// Writes a header and rows as CSV text (quoted where needed).
pub fn csv<R>(header: &[&str], rows: impl IntoIterator<Item = R>) -> AppResult<String>
where
    R: IntoIterator,
    R::Item: AsRef<[u8]>,
{
    let failed = |e: csv::Error| AppError::Internal(anyhow::anyhow!("csv: {e}"));
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(header).map_err(failed)?;
    for row in rows {
        out.write_record(row).map_err(failed)?;
    }
    let bytes = out.into_inner().map_err(|e| AppError::Internal(anyhow::anyhow!("csv: {e}")))?;
    String::from_utf8(bytes).map_err(|e| AppError::Internal(e.into()))
}

//! Exports of a survey's responses: CSV (one row per response) and .xlsx (a summary
//! sheet of the results and a sheet of the responses).
//!
//! Columns: 答卷编号 (response id), 提交时间 (Beijing time), then one column per
//! question headed `{n}. {question}`: the chosen option labels joined by `；`, the
//! rating, or the text as typed. The CSV is UTF-8 without a byte-order mark and quoted
//! by the `csv` crate. A CSV cell that a spreadsheet would read as a formula (starting
//! with `=`, `+`, `-`, `@`, a tab or a carriage return) is prefixed with `'`, so a
//! respondent cannot plant a formula in an editor's spreadsheet; the .xlsx stores
//! every answer as a string cell, which is never evaluated, and needs no prefix.

use super::SurveyError;
use super::model::{Answer, Question, Survey};
use super::results::{StoredResponse, SurveyResults};
use crate::model::beijing_time;

/// Header of the response-id column.
pub const ID_HEADER: &str = "答卷编号";
/// Header of the time column.
pub const TIME_HEADER: &str = "提交时间";

/// The header of a question's column.
pub fn question_header(q: &Question) -> String {
    format!("{}. {}", q.id, q.text)
}

/// An answer as a cell's text.
pub fn answer_text(q: &Question, a: Option<&Answer>) -> String {
    match a {
        None => String::new(),
        Some(Answer::Choices(ids)) => {
            ids.iter().filter_map(|id| q.option(*id)).map(|o| o.label.as_str()).collect::<Vec<_>>().join("；")
        }
        Some(Answer::Rating(n)) => n.to_string(),
        Some(Answer::Text(t)) => t.clone(),
    }
}

fn time_text(at: i64) -> String {
    beijing_time(at).map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string()).unwrap_or_else(|| at.to_string())
}

/// Neutralises a CSV cell a spreadsheet would evaluate as a formula.
pub fn csv_safe(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{cell}") } else { cell.to_string() }
}

fn rows(survey: &Survey, responses: &[StoredResponse]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut header = vec![ID_HEADER.to_string(), TIME_HEADER.to_string()];
    header.extend(survey.questions.iter().map(question_header));
    let body = responses
        .iter()
        .map(|r| {
            let mut row = vec![r.id.to_string(), time_text(r.at)];
            row.extend(survey.questions.iter().map(|q| answer_text(q, r.answers.get(q.id))));
            row
        })
        .collect();
    (header, body)
}

/// The responses as CSV (header row, then one row per response in the given order).
pub fn to_csv(survey: &Survey, responses: &[StoredResponse]) -> Result<Vec<u8>, SurveyError> {
    let (header, body) = rows(survey, responses);
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| SurveyError::Internal(format!("csv: {e}"));
    w.write_record(header.iter().map(|h| csv_safe(h))).map_err(fail)?;
    for row in body {
        w.write_record(row.iter().map(|c| csv_safe(c))).map_err(fail)?;
    }
    w.into_inner().map_err(|e| SurveyError::Internal(format!("csv: {e}")))
}

/// The results and responses as an .xlsx workbook: sheet `结果` (per question: option
/// counts and shares, rating mean and distribution, number of text answers) and sheet
/// `答卷` (the CSV's rows).
pub fn to_xlsx(survey: &Survey, results: &SurveyResults, responses: &[StoredResponse]) -> Result<Vec<u8>, SurveyError> {
    write_xlsx(survey, results, responses).map_err(|e| SurveyError::Internal(format!("xlsx: {e}")))
}

fn write_xlsx(
    survey: &Survey,
    results: &SurveyResults,
    responses: &[StoredResponse],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let pct = Format::new().set_num_format("0.0%");
    let dec = Format::new().set_num_format("0.00");

    let ws = wb.add_worksheet();
    ws.set_name("结果")?;
    ws.write_string_with_format(0, 0, &survey.title, &bold)?;
    ws.write_string(1, 0, format!("答卷总数：{}", results.responses))?;
    let mut row: u32 = 3;
    for q in &results.questions {
        ws.write_string_with_format(row, 0, format!("{}. {}", q.id, q.text), &bold)?;
        ws.write_string(row, 1, format!("作答 {}", q.answered))?;
        row += 1;
        for o in &q.options {
            ws.write_string(row, 0, &o.label)?;
            ws.write_number(row, 1, o.count as f64)?;
            ws.write_number_with_format(row, 2, o.share, &pct)?;
            row += 1;
        }
        if let Some(r) = &q.rating {
            ws.write_string(row, 0, "平均分")?;
            match r.mean {
                Some(m) => ws.write_number_with_format(row, 1, m, &dec)?,
                None => ws.write_string(row, 1, "—")?,
            };
            row += 1;
            for (i, n) in r.distribution.iter().enumerate() {
                ws.write_string(row, 0, format!("{} 分", i + 1))?;
                ws.write_number(row, 1, *n as f64)?;
                row += 1;
            }
        }
        if !q.texts.is_empty() {
            ws.write_string(row, 0, "文字回答（见“答卷”表）")?;
            ws.write_number(row, 1, q.texts.len() as f64)?;
            row += 1;
        }
        row += 1;
    }
    ws.set_column_width(0, 40)?;

    let (header, body) = rows(survey, responses);
    let ws = wb.add_worksheet();
    ws.set_name("答卷")?;
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, u16::try_from(c).unwrap_or(u16::MAX), h, &bold)?;
    }
    for (r, cells) in body.iter().enumerate() {
        let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
        for (c, cell) in cells.iter().enumerate() {
            ws.write_string(r, u16::try_from(c).unwrap_or(u16::MAX), cell)?;
        }
    }
    ws.set_column_width(1, 20)?;
    wb.save_to_buffer()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::survey::results::aggregate;
    use crate::survey::results::tests::{responses, survey};

    #[test]
    fn csv_parses_back_with_one_row_per_response() {
        let (s, r) = (survey(), responses());
        let bytes = to_csv(&s, &r).unwrap();
        assert!(!bytes.starts_with(&[0xef, 0xbb, 0xbf]), "no byte-order mark");
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        assert_eq!(header[0], ID_HEADER);
        assert_eq!(header[2], "1. 您对办事大厅满意吗？");
        assert_eq!(header.len(), 2 + 4);
        let rows: Vec<Vec<String>> = reader.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
        assert_eq!(rows.len(), 5);
        assert_eq!(rows[0][0], "1");
        assert_eq!(rows[0][2], "满意");
        assert_eq!(rows[0][3], "窗口；网站");
        assert_eq!(rows[0][4], "5");
        assert_eq!(rows[0][5], "多设窗口");
        assert_eq!(rows[2][3], "", "unanswered optional question");
        assert_eq!(rows[2][5], "'=SUM(A1)", "formula neutralised");
        assert!(rows[0][1].starts_with("1970-01-01 08:01"), "Beijing time: {}", rows[0][1]);
    }

    #[test]
    fn xlsx_is_a_zip_with_both_sheets() {
        let (s, r) = (survey(), responses());
        let bytes = to_xlsx(&s, &aggregate(&s, &r), &r).unwrap();
        assert_eq!(&bytes[..4], b"PK\x03\x04");
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("xl/worksheets/sheet1.xml"));
        assert!(text.contains("xl/worksheets/sheet2.xml"));
    }

    #[test]
    fn safe_cells() {
        assert_eq!(csv_safe("+1"), "'+1");
        assert_eq!(csv_safe("@x"), "'@x");
        assert_eq!(csv_safe("满意"), "满意");
    }
}

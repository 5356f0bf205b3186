//! Comparing two revisions: changed fields and a line diff of the body text.

use serde::{Deserialize, Serialize};
use similar::{ChangeTag, TextDiff};

use crate::model::DocFields;

/// One changed field (values as JSON so every field type fits).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// Field name (`title`, `tags`, `kind` …).
    pub field: String,
    /// Value in the older revision.
    pub before: String,
    /// Value in the newer revision.
    pub after: String,
}

/// How a line changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineTag {
    /// In both.
    Same,
    /// Only in the older revision.
    Removed,
    /// Only in the newer revision.
    Added,
}

/// One line of the body diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffLine {
    /// Same, removed or added.
    pub tag: LineTag,
    /// The line, without its newline.
    pub text: String,
}

/// The comparison of revision `a` with revision `b`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    /// Older revision id.
    pub a: i64,
    /// Newer revision id.
    pub b: i64,
    /// Fields that differ (the body is compared by text, listed as `body_text`).
    pub fields: Vec<FieldChange>,
    /// Line diff of the body text.
    pub body: Vec<DiffLine>,
}

fn show<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Null) => String::new(),
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

/// Compares two revisions' fields. Pure.
///
/// ```
/// use sitegroup_content::{compare::{compare, LineTag}, model::DocInput};
/// let p = Default::default();
/// let a = DocInput::article("通知", "<p>第一行</p>").prepare(&p).unwrap();
/// let b = DocInput::article("通知（修订）", "<p>第一行</p>").prepare(&p).unwrap();
/// let c = compare(1, &a, 2, &b);
/// assert_eq!(c.fields[0].field, "title");
/// assert!(c.body.iter().all(|l| l.tag == LineTag::Same));
/// ```
pub fn compare(a_id: i64, a: &DocFields, b_id: i64, b: &DocFields) -> Comparison {
    let mut fields = Vec::new();
    let mut push = |name: &str, x: String, y: String| {
        if x != y {
            fields.push(FieldChange { field: name.to_string(), before: x, after: y });
        }
    };
    push("kind", show(&a.kind), show(&b.kind));
    push("title", a.title.clone(), b.title.clone());
    push("subtitle", show(&a.subtitle), show(&b.subtitle));
    push("source", show(&a.source), show(&b.source));
    push("author", show(&a.author), show(&b.author));
    push("display_time", show(&a.display_time), show(&b.display_time));
    push("summary", a.summary.clone(), b.summary.clone());
    push("cover", show(&a.cover), show(&b.cover));
    push("attachments", show(&a.attachments), show(&b.attachments));
    push("tags", show(&a.tags), show(&b.tags));
    if a.body_html != b.body_html && a.body_text == b.body_text {
        push("body_html", a.body_html.clone(), b.body_html.clone());
    }
    let diff = TextDiff::from_lines(&a.body_text, &b.body_text);
    let body = diff
        .iter_all_changes()
        .map(|c| DiffLine {
            tag: match c.tag() {
                ChangeTag::Equal => LineTag::Same,
                ChangeTag::Delete => LineTag::Removed,
                ChangeTag::Insert => LineTag::Added,
            },
            text: c.value().trim_end_matches(['\n', '\r']).to_string(),
        })
        .collect();
    if a.body_text != b.body_text {
        fields.push(FieldChange { field: "body_text".into(), before: String::new(), after: String::new() });
    }
    Comparison { a: a_id, b: b_id, fields, body }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::model::DocInput;

    #[test]
    fn body_lines() {
        let p = Default::default();
        let mut a = DocInput::article("t", "").prepare(&p).unwrap();
        let mut b = a.clone();
        a.body_text = "一\n二\n三\n".into();
        b.body_text = "一\n贰\n三\n四\n".into();
        let c = compare(1, &a, 2, &b);
        let tags: Vec<_> = c.body.iter().map(|l| (l.tag, l.text.as_str())).collect();
        assert_eq!(
            tags,
            vec![
                (LineTag::Same, "一"),
                (LineTag::Removed, "二"),
                (LineTag::Added, "贰"),
                (LineTag::Same, "三"),
                (LineTag::Added, "四")
            ]
        );
        assert_eq!(c.fields.iter().map(|f| f.field.as_str()).collect::<Vec<_>>(), vec!["body_text"]);
    }
}

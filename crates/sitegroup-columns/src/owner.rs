//! Owners (栏目更新责任制): the named people responsible for keeping a column updated.

use serde::{Deserialize, Serialize};
use sitegroup_core::UserId;
use sitegroup_core::error::{optional_text, required_text};

use crate::ColumnError;

/// Most owners one column may name.
pub const MAX_OWNERS: usize = 10;

/// 栏目责任人 (column owner): a person answerable for a column's updates. Either a
/// back-office user (`user`), or a free-text name for someone without an account
/// (a township clerk who sends material in by phone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    /// The user, when the person has an account.
    pub user: Option<UserId>,
    /// The person's name as shown on the duty roster, e.g. 王芳.
    pub name: String,
    /// A phone number for reminders, digits with optional `+`, `-`, spaces.
    pub phone: Option<String>,
}

/// Validates a list of owners: 0–10 entries, each with a name (1–50 characters; the
/// facade fills a blank name from the user's account before calling this) and an
/// optional phone of 3–20 characters from `0-9 + - ( )` and spaces holding at least
/// 3 digits; the same user or the same name may not appear twice.
///
/// ```
/// use sitegroup_columns::{Owner, owner::validate_owners};
/// let ok = validate_owners(&[Owner { user: None, name: " 王芳 ".into(), phone: Some("0553-6612345".into()) }]).unwrap();
/// assert_eq!(ok[0].name, "王芳");
/// assert!(validate_owners(&[Owner { user: None, name: "".into(), phone: None }]).is_err());
/// ```
pub fn validate_owners(owners: &[Owner]) -> Result<Vec<Owner>, ColumnError> {
    if owners.len() > MAX_OWNERS {
        return Err(ColumnError::TooManyOwners { max: MAX_OWNERS });
    }
    let mut out: Vec<Owner> = Vec::with_capacity(owners.len());
    for o in owners {
        let name = required_text("owner name", &o.name, 50)?;
        let phone = optional_text("owner phone", o.phone.as_deref(), 20)?;
        if let Some(p) = &phone {
            let digits = p.chars().filter(char::is_ascii_digit).count();
            if digits < 3 || !p.chars().all(|c| c.is_ascii_digit() || "+-() ".contains(c)) {
                return Err(sitegroup_core::ValidationError::Malformed {
                    field: "owner phone",
                    reason: "use digits with optional '+', '-', '(', ')' and spaces".into(),
                }
                .into());
            }
        }
        if out.iter().any(|x| (x.user.is_some() && x.user == o.user) || x.name == name) {
            return Err(ColumnError::DuplicateOwner(name));
        }
        out.push(Owner { user: o.user, name, phone });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn o(user: Option<i64>, name: &str, phone: Option<&str>) -> Owner {
        Owner { user: user.map(UserId), name: name.into(), phone: phone.map(String::from) }
    }

    #[test]
    fn owners_rules() {
        assert!(validate_owners(&[]).unwrap().is_empty());
        let ok = validate_owners(&[o(Some(1), "李明", None), o(None, "张三", Some("+86 138-0000-0000"))]).unwrap();
        assert_eq!(ok.len(), 2);
        assert!(validate_owners(&[o(None, "张三", Some("call me"))]).is_err());
        assert!(validate_owners(&[o(None, "张三", Some("12"))]).is_err());
        assert!(validate_owners(&[o(None, &"长".repeat(51), None)]).is_err());
        assert!(matches!(
            validate_owners(&[o(Some(1), "李明", None), o(Some(1), "李明2", None)]),
            Err(ColumnError::DuplicateOwner(_))
        ));
        assert!(matches!(
            validate_owners(&[o(None, "张三", None), o(None, " 张三", None)]),
            Err(ColumnError::DuplicateOwner(_))
        ));
        let many: Vec<Owner> = (0..11).map(|i| o(None, &format!("人{i}"), None)).collect();
        assert!(matches!(validate_owners(&many), Err(ColumnError::TooManyOwners { .. })));
    }
}

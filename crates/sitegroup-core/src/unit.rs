//! Org units (单位): the departments and townships that own sites and answer messages.

use serde::{Deserialize, Serialize};

use crate::error::{ValidationError, code, required_text};
use crate::ids::UnitId;

/// What kind of body a unit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// 县直部门 (county department), e.g. the education bureau.
    Department,
    /// 乡镇 (township or town government).
    Township,
    /// Any other body: the government office, the information centre, a company.
    Other,
}

impl UnitKind {
    /// Stable lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Department => "department",
            UnitKind::Township => "township",
            UnitKind::Other => "other",
        }
    }

    /// Parses [`UnitKind::as_str`]'s output.
    pub fn parse(s: &str) -> Result<UnitKind, ValidationError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "department" => Ok(UnitKind::Department),
            "township" => Ok(UnitKind::Township),
            "other" => Ok(UnitKind::Other),
            _ => Err(ValidationError::Malformed {
                field: "unit_kind",
                reason: format!("unknown unit kind {s:?}; use department, township or other"),
            }),
        }
    }
}

/// An org unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgUnit {
    /// Database id.
    pub id: UnitId,
    /// Unique short code, lowercase ASCII.
    pub code: String,
    /// Full name, e.g. `无为县教育局`.
    pub name: String,
    /// Kind of body.
    pub kind: UnitKind,
    /// Creation time, unix seconds.
    pub created_at: i64,
}

/// Input for a new unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewUnit {
    /// Short code.
    pub code: String,
    /// Full name.
    pub name: String,
    /// Kind of body.
    pub kind: UnitKind,
}

impl NewUnit {
    /// Normalises and checks the fields.
    pub fn validate(&self) -> Result<NewUnit, ValidationError> {
        Ok(NewUnit {
            code: code("code", &crate::site::fold_width(&self.code))?,
            name: required_text("name", &self.name, 100)?,
            kind: self.kind,
        })
    }
}

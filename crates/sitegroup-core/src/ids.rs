//! Typed ids: a `SiteId` can never be passed where a `UserId` is expected.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// Id of a site (tenant): the portal, a channel or a registered website.
    SiteId
);
id_type!(
    /// Id of an org unit (单位): a department or a township.
    UnitId
);
id_type!(
    /// Id of a back-office user.
    UserId
);

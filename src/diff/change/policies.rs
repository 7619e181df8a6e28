//! Row-level security policies.

use crate::schema::model::Policy;

table_part_changes! {
    CreatePolicy { policy: Policy },
    DropPolicy { policy: Policy },
}

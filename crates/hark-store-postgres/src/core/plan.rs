//! What one ingest writes, decided in memory from the locked state it read (no I/O here).
//!
//! The rules are the SQLite backend's (`sqlite::ingest`), applied to the request's items one
//! after another exactly as it does, but collected into set-based writes: every occurrence of a
//! key in the request lands in one insert or one update of that item (and of each part), with
//! the fields merged as consecutive upserts would merge them: a field sent later overwrites,
//! an absent one keeps the earlier value.

use hark_core::{Fields, ItemInput, ItemOutcome, Timestamp};
use std::collections::{HashMap, HashSet};

/// Sent fields, borrowed from the request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Sent<'a> {
    pub body: Option<&'a str>,
    pub author: Option<&'a str>,
    pub email: Option<&'a str>,
    pub user_id: Option<&'a str>,
    pub url: Option<&'a str>,
    /// Microseconds.
    pub created_at: Option<i64>,
}

impl<'a> Sent<'a> {
    /// The fields of one item or part as sent.
    pub fn of(f: &'a Fields) -> Self {
        Self {
            body: f.body.as_deref(),
            author: f.author.as_deref(),
            email: f.email.as_deref(),
            user_id: f.user_id.as_deref(),
            url: f.url.as_deref(),
            created_at: f.created_at.map(Timestamp::as_micros),
        }
    }

    /// Applies a later upsert: what it sent overwrites, what it left out is kept.
    fn overlay(&mut self, later: Sent<'a>) {
        self.body = later.body.or(self.body);
        self.author = later.author.or(self.author);
        self.email = later.email.or(self.email);
        self.user_id = later.user_id.or(self.user_id);
        self.url = later.url.or(self.url);
        self.created_at = later.created_at.or(self.created_at);
    }
}

/// An item row to insert (`created_at` defaults to the write time when not sent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct NewItem<'a> {
    pub key: &'a str,
    pub sent: Sent<'a>,
    pub parts_count: i64,
}

/// The claim of a key: the first occurrence in the request that could create the item (it has
/// a body or parts), as the row it would create. The ingest inserts it before reading anything
/// (see `ingest`); the plan keeps it when that occurrence does create the item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Claim<'a> {
    /// Index of the occurrence in the request.
    pub occurrence: usize,
    pub row: NewItem<'a>,
}

/// The claims of a request, in request order (one per key at most).
pub(super) fn claims(items: &[ItemInput]) -> Vec<Claim<'_>> {
    let mut seen = HashSet::new();
    let mut claims = Vec::new();
    for (occurrence, item) in items.iter().enumerate() {
        let could_create = item.fields.body.is_some() || !item.parts.is_empty();
        if could_create && seen.insert(item.unique_id.as_str()) {
            let distinct: HashSet<&str> = item.parts.iter().map(|p| p.unique_id.as_str()).collect();
            claims.push(Claim {
                occurrence,
                row: NewItem {
                    key: &item.unique_id,
                    sent: Sent::of(&item.fields),
                    parts_count: distinct.len() as i64,
                },
            });
        }
    }
    claims
}

/// What the ingest read, under its locks.
#[derive(Debug, Default)]
pub(super) struct Known {
    /// Claim rows this transaction inserted: key → item id.
    pub claimed: HashMap<String, i64>,
    /// Items that existed before (locked): key → item id.
    pub existing: HashMap<String, i64>,
    /// Stored parts of the request's part keys: key → (part id, owning item id).
    pub parts: HashMap<String, (i64, i64)>,
}

/// An update of an existing item: merged fields and the number of parts added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ItemUpdate<'a> {
    pub id: i64,
    pub sent: Sent<'a>,
    pub added: i64,
}

/// The item a new part belongs to: a stored row, or an item this ingest inserts (found by key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ItemRef<'a> {
    Id(i64),
    Key(&'a str),
}

/// A part row to insert (body defaults to empty, `created_at` to the write time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct NewPart<'a> {
    pub item: ItemRef<'a>,
    pub key: &'a str,
    pub sent: Sent<'a>,
}

/// An update of a stored part with merged fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct PartUpdate<'a> {
    pub id: i64,
    pub sent: Sent<'a>,
}

/// Everything one ingest writes, and the outcome of each item in request order.
#[derive(Debug, Default)]
pub(super) struct Plan<'a> {
    pub outcomes: Vec<ItemOutcome>,
    /// Claim rows no occurrence kept (their items failed): deleted again.
    pub dead_claims: Vec<i64>,
    /// Items to insert, in request order (claims kept are already inserted).
    pub inserts: Vec<NewItem<'a>>,
    pub updates: Vec<ItemUpdate<'a>>,
    /// Parts to insert, in arrival order.
    pub new_parts: Vec<NewPart<'a>>,
    pub part_updates: Vec<PartUpdate<'a>>,
    /// The items stored, to queue for analysis.
    pub stored: Vec<ItemRef<'a>>,
}

/// Where the writes of an item go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// A row that exists in the transaction (stored before, or a kept claim).
    Row(i64),
    /// `Plan::inserts[n]`.
    New(usize),
}

/// Who a part key belongs to so far.
#[derive(Debug, Clone, Copy)]
enum PartSlot<'a> {
    Stored {
        id: i64,
        item: i64,
    },
    /// `Plan::new_parts[new]`, added by this request to the item of key `item`.
    Added {
        item: &'a str,
        new: usize,
    },
}

/// Plans the ingest of `items`, given the claims inserted for them (`claims`) and the state
/// `known` read under lock.
pub(super) fn plan<'a>(items: &'a [ItemInput], claims: &[Claim<'a>], known: &Known) -> Plan<'a> {
    let claim_of: HashMap<&str, usize> = claims.iter().map(|c| (c.row.key, c.occurrence)).collect();
    let mut plan = Plan::default();
    let mut targets: HashMap<&str, Target> = HashMap::new();
    for item in items {
        if let Some(&id) = known.existing.get(item.unique_id.as_str()) {
            targets.insert(&item.unique_id, Target::Row(id));
        }
    }
    let mut parts: HashMap<&str, PartSlot<'a>> = HashMap::new();
    for part in items.iter().flat_map(|i| &i.parts) {
        if let Some(&(id, item)) = known.parts.get(part.unique_id.as_str()) {
            parts.insert(&part.unique_id, PartSlot::Stored { id, item });
        }
    }
    let mut update_of: HashMap<i64, usize> = HashMap::new();
    let mut part_update_of: HashMap<i64, usize> = HashMap::new();
    let mut kept_claims: HashSet<i64> = HashSet::new();
    let mut stored: HashSet<&str> = HashSet::new();

    for (occurrence, item) in items.iter().enumerate() {
        let key = item.unique_id.as_str();
        let current = targets.get(key).copied();
        if let Some(failed) = check(item, current, &parts) {
            plan.outcomes.push(failed);
            continue;
        }
        let target = match current {
            Some(t) => t,
            None => match known.claimed.get(key) {
                // The claim row holds exactly this occurrence: nothing more to write for it.
                Some(&id) if claim_of.get(key) == Some(&occurrence) => {
                    kept_claims.insert(id);
                    Target::Row(id)
                }
                _ => {
                    plan.inserts.push(NewItem {
                        key,
                        sent: Sent::default(),
                        parts_count: 0,
                    });
                    Target::New(plan.inserts.len() - 1)
                }
            },
        };
        let item_ref = match target {
            Target::Row(id) => ItemRef::Id(id),
            Target::New(_) => ItemRef::Key(key),
        };
        let mut added = 0;
        for part in &item.parts {
            let sent = Sent::of(&part.fields);
            match parts.get(part.unique_id.as_str()).copied() {
                Some(PartSlot::Stored { id, .. }) => match part_update_of.get(&id) {
                    Some(&n) => plan.part_updates[n].sent.overlay(sent),
                    None => {
                        part_update_of.insert(id, plan.part_updates.len());
                        plan.part_updates.push(PartUpdate { id, sent });
                    }
                },
                // Repeated within the request: inserted once, then updated.
                Some(PartSlot::Added { new, .. }) => plan.new_parts[new].sent.overlay(sent),
                None => {
                    parts.insert(
                        &part.unique_id,
                        PartSlot::Added {
                            item: key,
                            new: plan.new_parts.len(),
                        },
                    );
                    plan.new_parts.push(NewPart {
                        item: item_ref,
                        key: &part.unique_id,
                        sent,
                    });
                    added += 1;
                }
            }
        }
        let sent = Sent::of(&item.fields);
        match (current, target) {
            // A kept claim was inserted with this occurrence's fields and part count.
            (None, Target::Row(_)) => {}
            (_, Target::New(n)) => {
                plan.inserts[n].sent.overlay(sent);
                plan.inserts[n].parts_count += added;
            }
            (Some(_), Target::Row(id)) => match update_of.get(&id) {
                Some(&n) => {
                    plan.updates[n].sent.overlay(sent);
                    plan.updates[n].added += added;
                }
                None => {
                    update_of.insert(id, plan.updates.len());
                    plan.updates.push(ItemUpdate { id, sent, added });
                }
            },
        }
        targets.insert(key, target);
        if stored.insert(key) {
            plan.stored.push(item_ref);
        }
        plan.outcomes.push(ItemOutcome::Stored {
            created: current.is_none(),
        });
    }
    plan.dead_claims = known
        .claimed
        .values()
        .copied()
        .filter(|id| !kept_claims.contains(id))
        .collect();
    plan.dead_claims.sort_unstable();
    plan
}

/// The failure of an occurrence whose item is `current` (`None`: it does not exist yet), if it
/// fails: a new item needs a body or a part, and each part must be new or already this item's.
fn check(
    item: &ItemInput,
    current: Option<Target>,
    parts: &HashMap<&str, PartSlot>,
) -> Option<ItemOutcome> {
    if current.is_none() && item.fields.body.is_none() && item.parts.is_empty() {
        return Some(ItemOutcome::Failed {
            field: Some("body".into()),
            error: "a new item needs a body or at least one conversation part".into(),
        });
    }
    for (i, part) in item.parts.iter().enumerate() {
        let ours = match parts.get(part.unique_id.as_str()) {
            None => true,
            Some(PartSlot::Stored { item: owner, .. }) => current == Some(Target::Row(*owner)),
            Some(PartSlot::Added { item: owner, .. }) => *owner == item.unique_id,
        };
        if !ours {
            return Some(ItemOutcome::Failed {
                field: Some(format!("conversation_parts[{i}].unique_id")),
                error: format!(
                    "conversation part unique_id {:?} already belongs to another item of this source",
                    part.unique_id
                ),
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use hark_core::PartInput;

    fn item(key: &str, body: Option<&str>, parts: &[&str]) -> ItemInput {
        ItemInput {
            index: 0,
            unique_id: key.into(),
            fields: Fields {
                body: body.map(Into::into),
                ..Fields::default()
            },
            parts: parts
                .iter()
                .map(|p| PartInput {
                    unique_id: (*p).into(),
                    fields: Fields {
                        body: Some(format!("{p} text")),
                        ..Fields::default()
                    },
                })
                .collect(),
        }
    }

    #[test]
    fn claims_take_the_first_occurrence_that_could_create() {
        let items = vec![
            item("a", None, &[]),
            item("a", Some("x"), &["p", "p", "q"]),
            item("a", Some("y"), &[]),
            item("b", None, &[]),
        ];
        let c = claims(&items);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].occurrence, 1);
        assert_eq!(c[0].row.parts_count, 2);
        assert_eq!(c[0].row.sent.body, Some("x"));
    }

    #[test]
    fn a_kept_claim_writes_only_later_occurrences_and_parts() {
        let items = vec![
            item("a", None, &[]),
            item("a", Some("x"), &["p", "p"]),
            item("a", Some("y"), &["q", "p"]),
        ];
        let c = claims(&items);
        let known = Known {
            claimed: [("a".to_string(), 7)].into(),
            ..Known::default()
        };
        let p = plan(&items, &c, &known);
        assert!(
            matches!(&p.outcomes[0], ItemOutcome::Failed { field: Some(f), .. } if f == "body")
        );
        assert_eq!(p.outcomes[1], ItemOutcome::Stored { created: true });
        assert_eq!(p.outcomes[2], ItemOutcome::Stored { created: false });
        assert!(p.inserts.is_empty() && p.dead_claims.is_empty());
        assert_eq!(p.updates.len(), 1);
        assert_eq!((p.updates[0].id, p.updates[0].added), (7, 1));
        assert_eq!(p.updates[0].sent.body, Some("y"));
        let keys: Vec<_> = p.new_parts.iter().map(|n| n.key).collect();
        assert_eq!(keys, ["p", "q"]);
        assert!(p.new_parts.iter().all(|n| n.item == ItemRef::Id(7)));
        assert_eq!(p.stored, [ItemRef::Id(7)]);
    }

    #[test]
    fn a_failed_claim_is_deleted_and_a_later_occurrence_inserted() {
        let items = vec![item("a", Some("x"), &["owned"]), item("a", Some("y"), &[])];
        let c = claims(&items);
        let known = Known {
            claimed: [("a".to_string(), 7)].into(),
            parts: [("owned".to_string(), (1, 99))].into(),
            ..Known::default()
        };
        let p = plan(&items, &c, &known);
        assert!(
            matches!(&p.outcomes[0], ItemOutcome::Failed { field: Some(f), .. }
            if f == "conversation_parts[0].unique_id")
        );
        assert_eq!(p.outcomes[1], ItemOutcome::Stored { created: true });
        assert_eq!(p.dead_claims, [7]);
        assert_eq!(p.inserts.len(), 1);
        assert_eq!(p.inserts[0].sent.body, Some("y"));
        assert_eq!(p.inserts[0].parts_count, 0);
    }

    #[test]
    fn existing_items_merge_and_own_their_parts() {
        let mut second = item("a", None, &["old", "new"]);
        second.fields.author = Some("Jane".into());
        let items = vec![
            item("a", Some("x"), &["old"]),
            second,
            item("b", Some("b"), &["old"]),
        ];
        let known = Known {
            existing: [("a".to_string(), 5)].into(),
            parts: [("old".to_string(), (11, 5))].into(),
            claimed: [("b".to_string(), 6)].into(),
        };
        let c = vec![Claim {
            occurrence: 2,
            row: NewItem {
                key: "b",
                sent: Sent::default(),
                parts_count: 1,
            },
        }];
        let p = plan(&items, &c, &known);
        assert_eq!(p.outcomes[0], ItemOutcome::Stored { created: false });
        assert_eq!(p.outcomes[1], ItemOutcome::Stored { created: false });
        assert!(matches!(&p.outcomes[2], ItemOutcome::Failed { .. }));
        assert_eq!(p.updates.len(), 1);
        assert_eq!(p.updates[0].sent.body, Some("x"));
        assert_eq!(p.updates[0].sent.author, Some("Jane"));
        assert_eq!(p.updates[0].added, 1);
        assert_eq!(p.part_updates.len(), 1);
        assert_eq!(p.part_updates[0].id, 11);
        assert_eq!(p.dead_claims, [6]);
        assert_eq!(p.stored, [ItemRef::Id(5)]);
    }
}

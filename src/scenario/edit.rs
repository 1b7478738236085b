//! Hand edits: the planner's own decisions, kept in the scenario as an ordered list
//! (`[[edits]]` in the TOML file) and applied by the engine as hard constraints.
//!
//! ```toml
//! [[edits]]
//! level = "townships"
//! action = "merge"                  # merge | split | move | seat | lock | name
//! codes = ["510121201", "510121202"]
//!
//! [[edits]]
//! level = "villages"
//! action = "move"
//! codes = "510121201203"            # one code, or a list
//! to = "510121202201"               # a unit of the group it moves into
//! ```

use serde::{Deserialize, Deserializer, Serialize};

use crate::error::Message;

/// The level an edit applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LevelName {
    #[serde(alias = "township", alias = "乡镇")]
    Townships,
    #[serde(alias = "village", alias = "村")]
    Villages,
}

impl LevelName {
    pub fn as_str(self) -> &'static str {
        match self {
            LevelName::Townships => "townships",
            LevelName::Villages => "villages",
        }
    }
}

/// What a hand edit does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EditAction {
    /// Merge the units (and the hand-made groups they are in) into one new unit.
    Merge,
    /// Take the units out of their groups: each stays a unit of its own.
    Split,
    /// Move one unit into a neighbouring group, named by `to`.
    Move,
    /// Make the unit the seat of whatever new unit it is in.
    Seat,
    /// Keep the unit as it is: never merged.
    Lock,
    /// Name the new unit the unit is in.
    Name,
}

impl EditAction {
    pub const ALL: [EditAction; 6] = [
        EditAction::Merge,
        EditAction::Split,
        EditAction::Move,
        EditAction::Seat,
        EditAction::Lock,
        EditAction::Name,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EditAction::Merge => "merge",
            EditAction::Split => "split",
            EditAction::Move => "move",
            EditAction::Seat => "seat",
            EditAction::Lock => "lock",
            EditAction::Name => "name",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            EditAction::Merge => "合并",
            EditAction::Split => "拆分",
            EditAction::Move => "移入相邻单位",
            EditAction::Seat => "指定驻地",
            EditAction::Lock => "锁定",
            EditAction::Name => "命名",
        }
    }
}

/// One hand edit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Edit {
    pub level: LevelName,
    pub action: EditAction,
    /// The units the edit is about: two or more to merge, one or more to split, one otherwise.
    #[serde(deserialize_with = "one_or_many")]
    pub codes: Vec<String>,
    /// For `move`: the group to move into, named by one or more of its units.
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub to: Vec<String>,
    /// For `name`: the new unit's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl Edit {
    /// An edit of one unit (seat, lock) or of several (merge, split).
    pub fn new(level: LevelName, action: EditAction, codes: Vec<String>) -> Self {
        Self {
            level,
            action,
            codes,
            to: Vec::new(),
            name: None,
        }
    }

    /// Moves `code` into the group of the units `to`.
    pub fn move_to(level: LevelName, code: String, to: Vec<String>) -> Self {
        Self {
            to,
            ..Self::new(level, EditAction::Move, vec![code])
        }
    }

    /// Names the new unit `code` is in.
    pub fn rename(level: LevelName, code: String, name: String) -> Self {
        Self {
            name: Some(name),
            ..Self::new(level, EditAction::Name, vec![code])
        }
    }

    /// Checks that the edit has what its action needs (codes are checked against a dataset
    /// when the scenario is resolved).
    pub fn validate(&self) -> Result<(), Message> {
        let n = self.codes.len();
        match self.action {
            EditAction::Merge if n < 2 => {
                return Err(Message::new(
                    "a merge needs at least two codes",
                    "合并至少需要两个代码",
                ));
            }
            EditAction::Split if n == 0 => {
                return Err(Message::new(
                    "a split needs at least one code",
                    "拆分至少需要一个代码",
                ));
            }
            EditAction::Move | EditAction::Seat | EditAction::Lock | EditAction::Name if n != 1 => {
                return Err(crate::tr!(
                    "'{}' takes exactly one code, not {n}",
                    "「{}」只能有一个代码，而不是 {n} 个",
                    self.action.as_str()
                ));
            }
            _ => {}
        }
        match (self.action, self.to.is_empty()) {
            (EditAction::Move, true) => {
                return Err(Message::new(
                    "a move needs 'to': a unit of the group it moves into",
                    "移动需要「to」：目标单位中的一个代码",
                ));
            }
            (action, false) if action != EditAction::Move => {
                return Err(Message::new(
                    "'to' belongs to a move only",
                    "只有移动才有「to」",
                ));
            }
            _ => {}
        }
        match (self.action, &self.name) {
            (EditAction::Name, None) => {
                Err(Message::new("a name edit needs 'name'", "命名需要「name」"))
            }
            (EditAction::Name, Some(name)) if name.trim().is_empty() => {
                Err(Message::new("the name is empty", "名称为空"))
            }
            (action, Some(_)) if action != EditAction::Name => Err(Message::new(
                "'name' belongs to a name edit only",
                "只有命名才有「name」",
            )),
            _ => Ok(()),
        }
    }
}

/// A list of codes written as one code or as a list.
fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(code) => vec![code],
        OneOrMany::Many(codes) => codes,
    })
}

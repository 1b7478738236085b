//! `adjacency.csv`: which units are neighbours, given as data. Offices without coordinates or
//! boundaries often keep such a list (a 相邻乡镇 table); with it, units merge by the pairs it
//! names, and units without a place load.
//!
//! Each row names a unit and one or more neighbours (`510104020,510104021` or a cell
//! `510104021、510104022`). Codes are township or village codes; a pair joins two units of one
//! level, inside one county (merges never cross a county, so other pairs are reported and
//! left out). Pairs are symmetric: listing one direction is enough.

use std::collections::HashMap;

use crate::error::{Message, Problem};
use crate::import::{LoadError, Problems};
use crate::model::{Neighbours, Township, TownshipId, Village, VillageId};
use crate::progress::Step;
use crate::tr;

use super::table::{Column, Table, check_code};

/// What a code names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Township(usize),
    Village(usize),
}

/// Reads the neighbour pairs of `table` against the loaded townships and villages.
pub(super) fn read_neighbours(
    table: &mut Table,
    townships: &[(Township, u64)],
    villages: &[Village],
    problems: &mut Problems,
) -> Result<Neighbours, LoadError> {
    table.start_progress(Step::Adjacency);
    let mut index: HashMap<&str, Unit> = HashMap::new();
    for (i, v) in villages.iter().enumerate() {
        index.insert(v.code.as_str(), Unit::Village(i));
    }
    for (i, (t, _)) in townships.iter().enumerate() {
        index.insert(t.code.as_str(), Unit::Township(i));
    }
    let county_of = |unit: Unit| match unit {
        Unit::Township(t) => townships[t].0.county,
        Unit::Village(v) => townships[villages[v].township.index()].0.county,
    };
    let mut out = Neighbours::default();
    while let Some(row) = table.next_row(problems)? {
        let row = &row;
        let Some(code) = table.code(row, Column::Code, problems) else {
            continue;
        };
        let Some(cell) = table.required_text(row, Column::NeighbourCode, problems) else {
            continue;
        };
        let cells = Cells { table, row };
        let Some(unit) = cells.find(&index, &code, Column::Code, problems) else {
            continue;
        };
        for other in split_codes(&cell) {
            let neighbour = match check_code(other) {
                Ok(()) => cells.find(&index, other, Column::NeighbourCode, problems),
                Err(message) => {
                    problems.error(cells.problem(message));
                    None
                }
            };
            let Some(neighbour) = neighbour else {
                continue;
            };
            if let Err((message, is_error)) = pair(&mut out, unit, neighbour, county_of) {
                let message = message(&code, other);
                if is_error {
                    problems.error(cells.problem(message));
                } else {
                    problems.warn(cells.problem(message));
                }
            }
        }
    }
    Ok(out)
}

/// The cells of one row of the neighbour table.
struct Cells<'a, 'p> {
    table: &'a Table<'p>,
    row: &'a crate::import::table::Row,
}

impl Cells<'_, '_> {
    /// The unit with `code`; an unknown one is an error at `column`.
    fn find(
        &self,
        index: &HashMap<&str, Unit>,
        code: &str,
        column: Column,
        problems: &mut Problems,
    ) -> Option<Unit> {
        let found = index.get(code).copied();
        if found.is_none() {
            problems.error(Problem::cell(
                &self.table.file,
                self.row.line,
                self.table.header(column),
                tr!(
                    "no township or village has code {code}",
                    "没有代码为 {code} 的乡镇或村"
                ),
            ));
        }
        found
    }

    /// A problem of the neighbour cell.
    fn problem(&self, message: Message) -> Problem {
        Problem::cell(
            &self.table.file,
            self.row.line,
            self.table.header(Column::NeighbourCode),
            message,
        )
    }
}

/// What is wrong with a pair, said of its two codes, and whether it is an error (else a
/// warning: the pair is left out).
type PairProblem = (fn(&str, &str) -> Message, bool);

/// Adds the pair `unit`–`neighbour` to `out`, or says why not.
fn pair(
    out: &mut Neighbours,
    unit: Unit,
    neighbour: Unit,
    county_of: impl Fn(Unit) -> crate::model::CountyId,
) -> Result<(), PairProblem> {
    if neighbour == unit {
        return Err((
            |code, _| {
                tr!(
                    "{code} is listed as its own neighbour; left out",
                    "{code} 被列为自己的相邻单位；已忽略"
                )
            },
            false,
        ));
    }
    if county_of(unit) != county_of(neighbour) {
        return Err((
            |code, other| {
                tr!(
                    "{code} and {other} are in different counties; merges never cross a county, so the pair is left out",
                    "{code} 与 {other} 属于不同区县；合并不跨区县，此对已忽略"
                )
            },
            false,
        ));
    }
    match (unit, neighbour) {
        (Unit::Township(a), Unit::Township(b)) => out
            .townships
            .push((TownshipId::from(a), TownshipId::from(b))),
        (Unit::Village(a), Unit::Village(b)) => {
            out.villages.push((VillageId::from(a), VillageId::from(b)))
        }
        _ => {
            return Err((
                |code, other| {
                    tr!(
                        "{code} and {other} are of different levels (a township and a village); a pair joins two townships or two villages",
                        "{code} 与 {other} 层级不同（一个乡镇、一个村）；相邻关系只连接两个乡镇或两个村"
                    )
                },
                true,
            ));
        }
    }
    Ok(())
}

/// The codes in a neighbour cell: one, or several separated by commas, 、, semicolons or
/// spaces.
fn split_codes(cell: &str) -> impl Iterator<Item = &str> {
    cell.split([',', '，', '、', ';', '；', ' ', '\u{3000}', '/'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_may_list_several_codes() {
        let codes: Vec<&str> = split_codes("510104020、510104021，510104022; 510104023").collect();
        assert_eq!(codes, ["510104020", "510104021", "510104022", "510104023"]);
        assert_eq!(split_codes(" 510104020 ").count(), 1);
    }
}

//! The words of the reports' vocabulary as [`Term`]s: each with the key scripts read in CSV
//! and its words in Chinese and English for a workbook (metrics with their units, kinds,
//! terrain classes, bases, levels, hand edits and what became of them).

use crate::lang::Lang;
use crate::metrics::{Metric, Unit};
use crate::model::{Terrain, TownshipKind, VillageKind};
use crate::scenario::EditAction;
use crate::table::{Cell, Term};

/// A metric with its unit, as a workbook labels its row (`乡镇平均面积（km²）`).
pub fn metric(m: Metric) -> Cell {
    let label = |lang: Lang| match workbook_unit(m.unit(), lang) {
        Some(unit) if lang == Lang::Zh => format!("{}（{unit}）", m.label(lang)),
        Some(unit) => format!("{} ({unit})", m.label(lang)),
        None => m.label(lang).to_string(),
    };
    Cell::Term(Term::owned(m.key(), label(Lang::Zh), label(Lang::En)))
}

/// The unit a workbook names beside a figure: none for counts and for shares (shown as
/// percentages); money in yuan, as the report holds it.
fn workbook_unit(unit: Unit, lang: Lang) -> Option<&'static str> {
    match (unit, lang) {
        (Unit::Count | Unit::Share, _) => None,
        (Unit::SquareKm, _) => Some("km²"),
        (Unit::Km, _) => Some("km"),
        (Unit::People, Lang::Zh) => Some("人"),
        (Unit::People, Lang::En) => Some("people"),
        (Unit::Yuan, Lang::Zh) => Some("元"),
        (Unit::Yuan, Lang::En) => Some("yuan"),
    }
}

/// A figure of a metric as its unit has it: a count whole, people and yuan shown whole, a
/// share as a share (a workbook shows it as a percentage), anything else as a number; nothing
/// where there is none.
pub fn figure(m: Metric, value: Option<f64>) -> Cell {
    match (value, m.unit()) {
        (None, _) => Cell::Empty,
        (Some(x), Unit::Count) if x >= 0.0 && x.fract() == 0.0 && x < 1e15 => Cell::Count(x as u64),
        (Some(x), Unit::Count | Unit::People | Unit::Yuan) => Cell::Whole(x),
        (Some(x), Unit::Share) => Cell::Share(x),
        (Some(x), Unit::SquareKm | Unit::Km) => Cell::Number(x),
    }
}

/// Whether a figure is observed, modelled or illustrative.
pub fn basis(key: &'static str) -> Cell {
    Cell::Term(match key {
        "observed" => Term::new(key, "实际", "observed"),
        "modelled" => Term::new(key, "模拟", "modelled"),
        "illustrative" => Term::new(key, "示意", "illustrative"),
        other => Term::new(other, other, other),
    })
}

/// A township's kind (`街道`, `镇`, …).
pub fn township_kind(kind: TownshipKind) -> Cell {
    Cell::Term(Term::new(kind.as_str(), kind.zh(), kind.en()))
}

/// A village's kind (`建制村`, `社区`, `特殊单位`).
pub fn village_kind(kind: VillageKind) -> Cell {
    Cell::Term(Term::new(kind.as_str(), kind.zh(), kind.en()))
}

/// A terrain class, or nothing where it is not known.
pub fn terrain(terrain: Option<Terrain>) -> Cell {
    terrain.map_or(Cell::Empty, |t| {
        Cell::Term(Term::new(t.as_str(), t.zh(), t.as_str()))
    })
}

/// A level of units (`townships`, `villages`).
pub fn level(key: &'static str) -> Cell {
    Cell::Term(match key {
        "townships" => Term::new(key, "乡镇", "townships"),
        "villages" => Term::new(key, "建制村", "villages"),
        other => Term::new(other, other, other),
    })
}

/// Whether a unit merged.
pub fn decision(merged: bool) -> Cell {
    Cell::Term(if merged {
        Term::new("merged", "合并", "merged")
    } else {
        Term::new("kept", "保留", "kept")
    })
}

/// The rule that decided a unit's fate (see [`crate::explain::RULES`]).
pub fn rule(key: &'static str) -> Cell {
    let (zh, en) = match key {
        "below_threshold" => ("低于门槛", "below its thresholds"),
        "target" => ("为完成目标", "for the target"),
        "chosen_as_neighbour" => ("被相邻候选选中", "chosen by a neighbour"),
        "by_hand" => ("手动调整", "by hand"),
        "scenario_group" => ("方案指定组合", "the scenario's group"),
        "meets_thresholds" => ("达到门槛", "meets the thresholds"),
        "exempt_kind" => ("类型不参与", "exempt kind"),
        "locked" => ("锁定", "locked"),
        "out_of_scope" => ("不在范围内", "out of scope"),
        "level_off" => ("本级不调整", "level not reformed"),
        "county_target_met" => ("本县目标已完成", "county target met"),
        "target_met" => ("目标已完成", "target met"),
        "blocked" => ("受上限阻止", "blocked"),
        "local_search" => ("局部搜索", "local search"),
        other => (other, other),
    };
    Cell::Term(Term::new(key, zh, en))
}

/// What a hand edit does.
pub fn action(action: EditAction) -> Cell {
    let zh = match action {
        EditAction::Merge => "合并",
        EditAction::Split => "拆分",
        EditAction::Move => "移入",
        EditAction::Seat => "设为驻地",
        EditAction::Lock => "锁定",
        EditAction::Name => "命名",
    };
    Cell::Term(Term::new(action.as_str(), zh, action.as_str()))
}

/// What became of a hand edit (`held`, `refused`, `superseded`).
pub fn status(key: &'static str) -> Cell {
    Cell::Term(match key {
        "held" => Term::new(key, "生效", "held"),
        "refused" => Term::new(key, "未执行", "refused"),
        "superseded" => Term::new(key, "被后续调整取代", "superseded"),
        other => Term::new(other, other, other),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(cell: Cell) -> (String, String, String) {
        match cell {
            Cell::Term(t) => (t.key.into_owned(), t.zh.into_owned(), t.en.into_owned()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn metrics_carry_their_units_and_keep_their_keys() {
        let (key, zh, en) = words(metric(Metric::AvgTownshipAreaKm2));
        assert_eq!(key, "avg_township_area_km2");
        assert_eq!(zh, "乡镇平均面积（km²）");
        assert_eq!(en, "Average township area (km²)");
        let (_, zh, _) = words(metric(Metric::Townships));
        assert_eq!(zh, "乡镇数");
        let (_, zh, en) = words(metric(Metric::AvgVillageResidentPop));
        assert!(
            zh.ends_with("（人）") && en.ends_with("(people)"),
            "{zh} {en}"
        );
    }
}

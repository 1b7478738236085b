//! What colour each township takes on the map: by merged group (neighbouring groups never
//! share a colour), change in distance to seat, population density, terrain class or kind,
//! from palettes colour-blind people can read (Paul Tol's), with the legend that explains them.

use typed_index_collections::TiVec;

use crate::adjacency::Adjacency;
use crate::model::{Level, NewId, Terrain, TownshipId, TownshipKind, VillageId};
use crate::plan::Stage;
use crate::workspace::Analysis;

/// An sRGB colour, fully opaque.
pub type Rgb = [u8; 3];

/// Paul Tol's "light" qualitative palette: nine pale colours that stay distinct for common
/// colour-vision deficiencies and keep dark text readable.
pub const GROUPS: [Rgb; 9] = [
    [0x77, 0xAA, 0xDD],
    [0xEE, 0x88, 0x66],
    [0xEE, 0xDD, 0x88],
    [0xFF, 0xAA, 0xBB],
    [0x99, 0xDD, 0xFF],
    [0x44, 0xBB, 0x99],
    [0xBB, 0xCC, 0x33],
    [0xAA, 0xAA, 0x00],
    [0xDD, 0xDD, 0xDD],
];

/// Paul Tol's "sunset" diverging scheme, blue (shorter) to red (longer), white-ish in the
/// middle.
const DIVERGING: [Rgb; 11] = [
    [0x36, 0x4B, 0x9A],
    [0x4A, 0x7B, 0xB7],
    [0x6E, 0xA6, 0xCD],
    [0x98, 0xCA, 0xE1],
    [0xC2, 0xE4, 0xEF],
    [0xEA, 0xEC, 0xCC],
    [0xFE, 0xDA, 0x8B],
    [0xFD, 0xB3, 0x66],
    [0xF6, 0x7E, 0x4B],
    [0xDD, 0x3D, 0x2D],
    [0xA5, 0x00, 0x26],
];

/// Paul Tol's "YlOrBr" sequential scheme, light (few) to dark (many).
const SEQUENTIAL: [Rgb; 9] = [
    [0xFF, 0xFF, 0xE5],
    [0xFF, 0xF7, 0xBC],
    [0xFE, 0xE3, 0x91],
    [0xFE, 0xC4, 0x4F],
    [0xFB, 0x9A, 0x29],
    [0xEC, 0x70, 0x14],
    [0xCC, 0x4C, 0x02],
    [0x99, 0x34, 0x04],
    [0x66, 0x25, 0x06],
];

/// Paul Tol's "bright" qualitative palette, for categories (terrain, kind).
const CATEGORIES: [Rgb; 7] = [
    [0x44, 0x77, 0xAA],
    [0x66, 0xCC, 0xEE],
    [0x22, 0x88, 0x33],
    [0xCC, 0xBB, 0x44],
    [0xEE, 0x66, 0x77],
    [0xAA, 0x33, 0x77],
    [0xBB, 0xBB, 0xBB],
];

/// How the map colours townships.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColourMode {
    /// By new unit after the plan (before it: every unit its own).
    #[default]
    Group,
    /// Change in the population-weighted distance of its villages to their seat.
    DistanceChange,
    /// Resident population per km².
    Density,
    Terrain,
    Kind,
}

impl ColourMode {
    pub const ALL: [ColourMode; 5] = [
        ColourMode::Group,
        ColourMode::DistanceChange,
        ColourMode::Density,
        ColourMode::Terrain,
        ColourMode::Kind,
    ];
}

/// One entry of a legend: a colour and what it means (text in both languages).
#[derive(Debug, Clone, PartialEq)]
pub struct LegendEntry {
    pub colour: Rgb,
    pub zh: String,
    pub en: String,
}

/// Colours of every township and village, and the legend.
#[derive(Debug, Clone, PartialEq)]
pub struct Colouring {
    pub townships: TiVec<TownshipId, Rgb>,
    /// By new village (neighbouring ones differ) in the group mode, else as their township;
    /// empty unless asked for (see [`colour`]).
    pub villages: TiVec<VillageId, Rgb>,
    pub legend: Vec<LegendEntry>,
}

/// Colours so that no two neighbouring groups share one: groups are coloured greedily, the
/// least connected last (smallest-last order), each with the first colour its neighbours do
/// not use. Planar maps need at most six this way; the palette has nine.
pub fn group_colours<L: Level>(stage: &Stage<L>, adjacency: &Adjacency<L>) -> TiVec<NewId<L>, u8> {
    let n = stage.units.len();
    // Neighbouring groups, as sets.
    let mut near: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (k, unit) in stage.units.iter_enumerated() {
        for &m in unit.members.iter() {
            for other in adjacency.neighbours(m) {
                let j = stage.new_of[other].index();
                if j != k.index() {
                    near[k.index()].push(j);
                }
            }
        }
    }
    for list in &mut near {
        list.sort_unstable();
        list.dedup();
    }
    // Smallest-last order: repeatedly take out the group with the fewest neighbours left.
    let mut degree: Vec<usize> = near.iter().map(Vec::len).collect();
    let mut removed = vec![false; n];
    let mut buckets: Vec<Vec<usize>> = vec![Vec::new(); degree.iter().max().map_or(1, |d| d + 1)];
    for (k, &d) in degree.iter().enumerate() {
        buckets[d].push(k);
    }
    let mut order = Vec::with_capacity(n);
    let mut low = 0;
    while order.len() < n {
        low = low.min(buckets.len() - 1);
        while buckets[low].is_empty() {
            low += 1;
        }
        let Some(k) = buckets[low].pop() else { break };
        if removed[k] || degree[k] != low {
            continue;
        }
        removed[k] = true;
        order.push(k);
        for &j in &near[k] {
            if !removed[j] {
                degree[j] -= 1;
                buckets[degree[j]].push(j);
                low = low.min(degree[j]);
            }
        }
    }
    let mut colour: Vec<Option<u8>> = vec![None; n];
    for &k in order.iter().rev() {
        let mut used = [false; 256];
        for &j in &near[k] {
            if let Some(c) = colour[j] {
                used[c as usize] = true;
            }
        }
        colour[k] = Some((0..=255u8).find(|&c| !used[c as usize]).unwrap_or(0));
    }
    colour.into_iter().map(|c| c.unwrap_or(0)).collect()
}

/// A colour of the group palette for colour index `c` (cycling past its end).
pub fn group_colour(c: u8) -> Rgb {
    GROUPS[c as usize % GROUPS.len()]
}

/// Colours every township (and, if `villages`, every village) of an analysis in `mode`;
/// `after` chooses the plan's new units (else the units as they were).
pub fn colour(analysis: &Analysis, mode: ColourMode, after: bool, villages: bool) -> Colouring {
    let (townships, legend) = township_colours(analysis, mode, after);
    let ds = analysis.dataset();
    let villages = if !villages {
        TiVec::new()
    } else if mode == ColourMode::Group {
        let stage = if after {
            analysis.plan.villages.clone()
        } else {
            Stage::identity(ds.villages.len())
        };
        let colours = group_colours(&stage, &analysis.workspace().prepared().village_adjacency);
        ds.villages
            .keys()
            .map(|v| group_colour(colours[stage.new_of[v]]))
            .collect()
    } else {
        ds.villages.iter().map(|v| townships[v.township]).collect()
    };
    Colouring {
        townships,
        villages,
        legend,
    }
}

/// A colour per township and the legend.
type TownshipColours = (TiVec<TownshipId, Rgb>, Vec<LegendEntry>);

fn township_colours(analysis: &Analysis, mode: ColourMode, after: bool) -> TownshipColours {
    let ds = analysis.dataset();
    let ws = analysis.workspace();
    match mode {
        ColourMode::Group => {
            let stage = if after {
                analysis.plan.townships.clone()
            } else {
                crate::plan::Stage::identity(ds.townships.len())
            };
            let colours = group_colours(&stage, &ws.prepared().township_adjacency);
            (
                ds.townships
                    .keys()
                    .map(|t| group_colour(colours[stage.new_of[t]]))
                    .collect(),
                vec![LegendEntry {
                    colour: GROUPS[0],
                    zh: "每种颜色一个新乡镇；相邻的不同色".into(),
                    en: "one colour per new unit; neighbours differ".into(),
                }],
            )
        }
        ColourMode::DistanceChange => distance_change_colours(analysis, after),
        ColourMode::Density => density_colours(ds),
        ColourMode::Terrain => {
            let of = |t: Option<Terrain>| match t {
                Some(t) => CATEGORIES[Terrain::ALL.iter().position(|&x| x == t).unwrap_or(0)],
                None => CATEGORIES[6],
            };
            (
                ws.prepared().terrain.iter().map(|&t| of(t)).collect(),
                Terrain::ALL
                    .iter()
                    .map(|&t| LegendEntry {
                        colour: of(Some(t)),
                        zh: t.zh().into(),
                        en: t.as_str().into(),
                    })
                    .collect(),
            )
        }
        ColourMode::Kind => {
            let of = |k: TownshipKind| {
                CATEGORIES[TownshipKind::ALL.iter().position(|&x| x == k).unwrap_or(6)]
            };
            (
                ds.townships.iter().map(|t| of(t.kind)).collect(),
                TownshipKind::ALL
                    .iter()
                    .map(|&k| LegendEntry {
                        colour: of(k),
                        zh: k.zh().into(),
                        en: k.as_str().into(),
                    })
                    .collect(),
            )
        }
    }
}

/// The change of each township's mean distance to its seat, in classes from −4 km to +4 km
/// (none before the plan).
fn distance_change_colours(analysis: &Analysis, after: bool) -> TownshipColours {
    let km = &analysis.service.township_mean_km;
    let class = |t: TownshipId| -> usize {
        let [before, now] = km[t];
        let change = if after { now - before } else { 0.0 };
        if !change.is_finite() {
            return 5;
        }
        ((change / 0.8).round() as i64 + 5).clamp(0, 10) as usize
    };
    let legend = [0usize, 3, 5, 7, 10]
        .iter()
        .map(|&c| {
            let km = (c as f64 - 5.0) * 0.8;
            LegendEntry {
                colour: DIVERGING[c],
                zh: format!("{km:+.1} 公里"),
                en: format!("{km:+.1} km"),
            }
        })
        .collect();
    (
        analysis
            .dataset()
            .townships
            .keys()
            .map(|t| DIVERGING[class(t)])
            .collect(),
        legend,
    )
}

/// People per km², in classes doubling from 25.
fn density_colours(ds: &crate::model::Dataset) -> TownshipColours {
    let class = |t: &crate::model::Township| -> usize {
        let density = t.resident_pop / t.area_km2.max(1e-6);
        // Below 25 (or no figure): the lightest class.
        if density.is_nan() || density <= 25.0 {
            return 0;
        }
        ((density / 25.0).log2().floor() as usize + 1).min(SEQUENTIAL.len() - 1)
    };
    let legend = (0..SEQUENTIAL.len())
        .step_by(2)
        .map(|c| {
            let from = if c == 0 {
                0.0
            } else {
                25.0 * 2f64.powi(c as i32 - 1)
            };
            LegendEntry {
                colour: SEQUENTIAL[c],
                zh: format!("≥ {from:.0} 人/平方公里"),
                en: format!("≥ {from:.0} people/km²"),
            }
        })
        .collect();
    (
        ds.townships.iter().map(|t| SEQUENTIAL[class(t)]).collect(),
        legend,
    )
}

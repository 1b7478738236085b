//! Every province: which one a `--province` argument means, where its dataset is (Sichuan: the
//! built-in demo; the others: modelled from the real 2023 codes the binary ships, on first use,
//! into the cache), and the country as one dataset made of the provinces.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{Message, Problem};
use crate::import::LoadError;
use crate::import::{LoadOptions, Loaded, load_dataset_opts};
use crate::model::{County, Dataset, Provenance};
use crate::progress::Progress;

/// A province-level unit: code, name in Chinese (full), short name, name in English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Province {
    pub code: &'static str,
    pub name: &'static str,
    pub short: &'static str,
    pub english: &'static str,
}

const fn p(
    code: &'static str,
    name: &'static str,
    short: &'static str,
    english: &'static str,
) -> Province {
    Province {
        code,
        name,
        short,
        english,
    }
}

/// The 31 provinces of mainland China, by code.
pub const PROVINCES: [Province; 31] = [
    p("11", "北京市", "北京", "Beijing"),
    p("12", "天津市", "天津", "Tianjin"),
    p("13", "河北省", "河北", "Hebei"),
    p("14", "山西省", "山西", "Shanxi"),
    p("15", "内蒙古自治区", "内蒙古", "Inner Mongolia"),
    p("21", "辽宁省", "辽宁", "Liaoning"),
    p("22", "吉林省", "吉林", "Jilin"),
    p("23", "黑龙江省", "黑龙江", "Heilongjiang"),
    p("31", "上海市", "上海", "Shanghai"),
    p("32", "江苏省", "江苏", "Jiangsu"),
    p("33", "浙江省", "浙江", "Zhejiang"),
    p("34", "安徽省", "安徽", "Anhui"),
    p("35", "福建省", "福建", "Fujian"),
    p("36", "江西省", "江西", "Jiangxi"),
    p("37", "山东省", "山东", "Shandong"),
    p("41", "河南省", "河南", "Henan"),
    p("42", "湖北省", "湖北", "Hubei"),
    p("43", "湖南省", "湖南", "Hunan"),
    p("44", "广东省", "广东", "Guangdong"),
    p("45", "广西壮族自治区", "广西", "Guangxi"),
    p("46", "海南省", "海南", "Hainan"),
    p("50", "重庆市", "重庆", "Chongqing"),
    p("51", "四川省", "四川", "Sichuan"),
    p("52", "贵州省", "贵州", "Guizhou"),
    p("53", "云南省", "云南", "Yunnan"),
    p("54", "西藏自治区", "西藏", "Tibet"),
    p("61", "陕西省", "陕西", "Shaanxi"),
    p("62", "甘肃省", "甘肃", "Gansu"),
    p("63", "青海省", "青海", "Qinghai"),
    p("64", "宁夏回族自治区", "宁夏", "Ningxia"),
    p("65", "新疆维吾尔自治区", "新疆", "Xinjiang"),
];

/// The version of the national model: part of the cache folder's name, so a build whose
/// model differs never reads an older build's modelled files. Raise it with any change to
/// what `demo::national` writes.
pub const MODEL_VERSION: u32 = 3;

/// Sichuan: the built-in demo (2016, before its reform), not the national 2023 codes.
pub const SICHUAN: &str = "51";

/// The province a county code belongs to.
pub fn province_of(county_code: &str) -> Option<&'static Province> {
    let code = county_code.get(..2)?;
    PROVINCES.iter().find(|p| p.code == code)
}

impl County {
    /// The county's province, from the first two digits of its code.
    pub fn province(&self) -> Option<&'static Province> {
        province_of(&self.code)
    }

    /// The code of the county's province: the first two digits of its own.
    pub fn province_code(&self) -> &str {
        self.code.get(..2).unwrap_or(&self.code)
    }

    /// The code of the county's city: as the data gives it, else the first four digits of
    /// the county's own.
    pub fn city_key(&self) -> &str {
        if self.city_code.is_empty() {
            self.code.get(..4).unwrap_or(&self.code)
        } else {
            &self.city_code
        }
    }
}

/// The provinces an argument names: `all` (or 全国), codes and names (`13`, `河北`, `河北省`,
/// `Hebei`), several separated by commas.
pub fn resolve(arg: &str) -> Result<Vec<&'static Province>, String> {
    let mut out: Vec<&'static Province> = Vec::new();
    for part in arg
        .split([',', '，'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        if part.eq_ignore_ascii_case("all") || part == "全国" {
            return Ok(PROVINCES.iter().collect());
        }
        let found = PROVINCES.iter().find(|p| {
            p.code == part
                || p.name == part
                || p.short == part
                || p.english.eq_ignore_ascii_case(part)
                || (part.len() == 6 && part.ends_with("0000") && part.starts_with(p.code))
        });
        match found {
            Some(p) if !out.contains(&p) => out.push(p),
            Some(_) => {}
            None => {
                return Err(format!(
                    "no province '{part}': give a code (13), a name (河北, Hebei) or all"
                ));
            }
        }
    }
    if out.is_empty() {
        return Err("no province given: a code (13), a name (河北, Hebei) or all".into());
    }
    out.sort_by_key(|p| p.code);
    Ok(out)
}

/// The dataset folder of each province, modelling the national data first if this build has
/// not yet (all provinces at once, a few seconds; `progress` shows it).
pub fn dataset_dirs(
    provinces: &[&Province],
    progress: &Progress,
) -> Result<Vec<PathBuf>, LoadError> {
    provinces
        .iter()
        .map(|p| {
            let dir = province_dir(p)?;
            ensure_modelled(&dir, progress)?;
            Ok(dir)
        })
        .collect()
}

/// Where a province's dataset folder is (Sichuan's: the demo), modelled yet or not.
pub fn province_dir(province: &Province) -> Result<PathBuf, LoadError> {
    if province.code == SICHUAN {
        return Ok(crate::builtin::demo_dir());
    }
    Ok(national_dir()?.join(province.code))
}

/// Models the national data if `dir` is one of its province folders and this build has not
/// modelled it yet; any other folder is left alone. The app's loader calls this first, so a
/// province chosen in the window is modelled on the loading thread, with its progress.
pub fn ensure_modelled(dir: &Path, progress: &Progress) -> Result<(), LoadError> {
    let national = national_dir()?;
    if dir.parent() != Some(national.as_path()) || dir.join(".complete").is_file() {
        return Ok(());
    }
    // One modelling at a time in this process (the app's loader and a test may ask at once).
    static MODELLING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = MODELLING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if dir.join(".complete").is_file() {
        return Ok(());
    }
    let bundle = national.parent().unwrap_or(Path::new("."));
    crate::demo::national::write_national(&bundle.join("china"), &national, false, progress)
        .map_err(|e| {
            Problem::file(
                &national,
                Message::untranslated(format!("cannot model the national data: {e}")),
            )
        })?;
    Ok(())
}

/// Whether `dir` is the folder of the modelled national data (all provinces but Sichuan,
/// one folder each): what `--province all` hands the app to open the whole country.
pub fn is_country_dir(dir: &Path) -> bool {
    national_dir().is_ok_and(|d| d == dir)
}

/// The cache folder of the modelled national data (inside the unpacked bundle).
pub fn national_dir() -> Result<PathBuf, LoadError> {
    let bundle = crate::builtin::bundle_dir().map_err(|e| {
        Problem::file(
            Path::new("(bundle)"),
            Message::untranslated(format!("cannot unpack the built-in data: {e}")),
        )
    })?;
    Ok(bundle.join(format!("national-m{MODEL_VERSION}")))
}

/// Loads the provinces as one dataset: each province's folder in parallel, then joined in
/// code order.
pub fn load(
    provinces: &[&Province],
    options: &LoadOptions,
    progress: &Progress,
) -> Result<Loaded, LoadError> {
    let dirs = dataset_dirs(provinces, progress)?;
    if let [dir] = &dirs[..] {
        return load_dataset_opts(dir, options, progress);
    }
    let parts: Vec<Loaded> = dirs
        .par_iter()
        .map(|dir| load_dataset_opts(dir, options, &Progress::new()))
        .collect::<Result<_, _>>()?;
    progress.check()?;
    let name = if provinces.len() == PROVINCES.len() {
        "全国（四川 2016 演示数据，其余省份 2023 模拟数据）".to_string()
    } else {
        provinces
            .iter()
            .map(|p| p.short)
            .collect::<Vec<_>>()
            .join("、")
    };
    let mut warnings = Vec::new();
    let mut warnings_not_kept = 0;
    let mut datasets = Vec::with_capacity(parts.len());
    for part in parts {
        warnings.extend(part.warnings);
        warnings_not_kept += part.warnings_not_kept;
        datasets.push(part.dataset);
    }
    Ok(Loaded {
        dataset: Dataset::join(name, datasets),
        warnings,
        warnings_not_kept,
    })
}

impl Dataset {
    /// Datasets side by side as one, named `name`: units renumbered, each township's terrain
    /// class fixed from its own dataset's DEM (they differ in extent and grid), and the
    /// largest DEM kept for the terrain-adjusted distances.
    pub fn join(name: String, parts: Vec<Dataset>) -> Dataset {
        let mut out = Dataset {
            provenance: Provenance {
                name,
                modelled: Vec::new(),
                sources: Vec::new(),
            },
            counties: Default::default(),
            townships: Default::default(),
            villages: Default::default(),
            dem: None,
            neighbours: Default::default(),
            unlocated: false,
            folders: Vec::new(),
            crs: None,
        };
        for mut part in parts {
            let terrain = crate::terrain::township_terrain(&part);
            for (t, class) in part.townships.iter_mut().zip(terrain) {
                t.terrain = class;
            }
            let (c0, t0, v0) = (out.counties.len(), out.townships.len(), out.villages.len());
            for f in part.provenance.modelled {
                if !out.provenance.modelled.contains(&f) {
                    out.provenance.modelled.push(f);
                }
            }
            for s in part.provenance.sources {
                if !out.provenance.sources.contains(&s) {
                    out.provenance.sources.push(s);
                }
            }
            out.counties.extend(part.counties);
            out.townships
                .extend(part.townships.into_iter().map(|mut t| {
                    t.county = (t.county.index() + c0).into();
                    t
                }));
            out.villages.extend(part.villages.into_iter().map(|mut v| {
                v.township = (v.township.index() + t0).into();
                v
            }));
            let shift_t = |t: crate::model::TownshipId| -> crate::model::TownshipId {
                (t.index() + t0).into()
            };
            let shift_v =
                |v: crate::model::VillageId| -> crate::model::VillageId { (v.index() + v0).into() };
            out.neighbours.townships.extend(
                part.neighbours
                    .townships
                    .iter()
                    .map(|&(a, b)| (shift_t(a), shift_t(b))),
            );
            out.neighbours.villages.extend(
                part.neighbours
                    .villages
                    .iter()
                    .map(|&(a, b)| (shift_v(a), shift_v(b))),
            );
            out.unlocated |= part.unlocated;
            out.folders.extend(part.folders);
            let cells = |d: &Option<crate::dem::Dem>| d.as_ref().map_or(0, |d| d.ncols * d.nrows);
            if cells(&part.dem) > cells(&out.dem) {
                out.dem = part.dem;
            }
        }
        out
    }
}

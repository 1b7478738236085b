//! The demo's GIS layers as GDAL reads them: `ogrinfo` opens every file and names each
//! layer's system, and GEOS (through GDAL's Python bindings, the verdict QGIS shows) finds no
//! invalid geometry and no field left empty in every feature. Needs `gdal-bin` and
//! `python3-gdal`; where they are missing the test says so and passes, unless
//! `JIANZHI_REQUIRE_GDAL` is set (CI sets it, and installs them).
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::Command;

/// Whether `program --version` runs.
fn runs(program: &str, argument: &str) -> bool {
    Command::new(program)
        .arg(argument)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The Python that has GDAL's bindings: Debian's (`python3-gdal` installs them for the
/// system Python, which another Python on the PATH may hide).
fn python() -> Option<&'static str> {
    ["/usr/bin/python3", "python3"].into_iter().find(|p| {
        Command::new(p)
            .args(["-c", "from osgeo import ogr"])
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

fn gdal_present() -> Option<&'static str> {
    let present = runs("ogrinfo", "--version").then(python).flatten();
    if present.is_none() {
        assert!(
            std::env::var_os("JIANZHI_REQUIRE_GDAL").is_none(),
            "GDAL (ogrinfo, python3-gdal) is required here and missing"
        );
        eprintln!("GDAL is not installed (apt-get install gdal-bin python3-gdal): not checked");
    }
    present
}

/// Per layer of each file: features, invalid features (GEOS), fields no feature fills, and
/// the layer's EPSG code.
const CHECK: &str = r#"
import sys
from osgeo import ogr
ogr.UseExceptions()
for path in sys.argv[1:]:
    ds = ogr.Open(path)
    for i in range(ds.GetLayerCount()):
        layer = ds.GetLayerByIndex(i)
        defn = layer.GetLayerDefn()
        names = [defn.GetFieldDefn(k).GetName() for k in range(defn.GetFieldCount())]
        filled = {n: 0 for n in names}
        count = invalid = 0
        for f in layer:
            count += 1
            g = f.GetGeometryRef()
            if g is not None and not g.IsValid():
                invalid += 1
            for n in names:
                if f.GetField(n) not in (None, ""):
                    filled[n] += 1
        empty = [n for n in names if filled[n] == 0] if count else []
        srs = layer.GetSpatialRef()
        code = srs.GetAuthorityCode(None) if srs else None
        print(f"{path}|{layer.GetName()}|{count}|{invalid}|{','.join(empty)}|{code}")
"#;

fn export_demo(dir: &Path, crs: Option<jianzhi::crs::Crs>) {
    let workspace = common::demo_workspace();
    let a = workspace.analyse(&common::preset("sichuan-2019")).unwrap();
    common::export_gis(&a, dir, crs);
}

#[test]
fn gdal_opens_every_layer_of_the_demo_and_geos_finds_each_valid() {
    let Some(python) = gdal_present() else {
        return;
    };
    for (crs, epsg) in [(None, "4326"), (Some(4523), "4523")] {
        let dir = tempfile::tempdir().unwrap();
        export_demo(
            dir.path(),
            crs.map(|code| jianzhi::crs::Crs::from_epsg(code).unwrap()),
        );
        let files: Vec<String> = [
            "townships-new.geojson",
            "seats.geojson",
            "stations.geojson",
            "townships_new.shp",
            "seats.shp",
            "stations.shp",
            "layers.gpkg",
        ]
        .iter()
        .map(|f| dir.path().join(f).display().to_string())
        .collect();
        for file in &files {
            let info = Command::new("ogrinfo")
                .args(["-ro", "-so", "-al", file])
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&info.stdout);
            assert!(info.status.success(), "ogrinfo {file}: {text}");
            assert!(text.contains("Layer name:"), "{file}: {text}");
            assert!(
                text.contains(&format!("ID[\"EPSG\",{epsg}]")),
                "{file}: not in EPSG:{epsg}: {text}"
            );
        }
        let out = Command::new(python)
            .arg("-c")
            .arg(CHECK)
            .args(&files)
            .output()
            .unwrap();
        let report = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{report}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut layers = 0;
        for line in report.lines() {
            let parts: Vec<&str> = line.split('|').collect();
            let [file, layer, count, invalid, empty, code] = parts[..] else {
                panic!("{line}");
            };
            layers += 1;
            assert_eq!(invalid, "0", "{file} {layer}: {invalid} invalid of {count}");
            assert_eq!(empty, "", "{file} {layer}: fields never filled: {empty}");
            assert_eq!(code, epsg, "{file} {layer}");
            // Distinct, meaningful layer names, not the scenario's.
            assert!(
                ["townships_new", "seats", "stations"].contains(&layer),
                "{file}: layer {layer}"
            );
        }
        assert_eq!(layers, 9, "{report}");
    }
}

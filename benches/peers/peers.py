"""Jianzhi's township plan beside the regionalisation tools planners know, on the same layer.

Reads the dataset (townships.geojson, townships.csv, villages.csv) and Jianzhi's run of a
scenario (its townships.csv, scenario.toml and the time it printed), runs the peers on the same
townships, and measures every plan the same way:

- time: the algorithm alone, data and contiguity already loaded (Jianzhi: its township plan
  alone, as `jianzhi run --timing` prints it; the whole scenario, with the village plan, the
  coverage and every report figure, is printed below the table);
- regions: township-level units after;
- county crossings: regions holding townships of more than one county;
- contiguity violations: regions whose townships are not connected (queen contiguity of the
  boundaries, the same graph for every plan);
- mean distance: residents x km from each village to its region's seat, over residents
  (great circle, as Jianzhi measures it); a peer that picks no seat gets, in each region, the
  member seat nearest its residents, the best seat it could have;
- under floor: share of regions whose registered population is under the scenario's
  threshold for the seat's terrain (regions Jianzhi leaves alone because their kind is exempt
  are counted like any other).

Peers:
- max-p (pygeoda maxp_greedy), per county, floor = the scenario's min_registered_pop for the
  county's most common terrain;
- SKATER and REDCAP (pygeoda), province-wide, k = Jianzhi's number of regions;
- SKATER per county with Jianzhi's count for each county (the fair use of a tool that knows
  no county);
- p-median (spopt PMedian, CBC), per county, p = Jianzhi's count for the county: villages as
  demand, township seats as candidates, each township joins the seat serving most of its
  residents.
SKATER and REDCAP cluster on the seats' projected coordinates, so their regions are as compact
as they can make them, which is what the distance measure rewards.

Usage: peers.py DATASET_DIR JIANZHI_RUN_DIR TOWNSHIP_PLAN_MS SCENARIO_MS [--out table.md]
"""

import argparse
import math
import sys
import time
import tomllib
from collections import Counter, defaultdict
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pulp
import pygeoda
from spopt.locate import PMedian

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lon1, lat1, lon2, lat2):
    lon1, lat1, lon2, lat2 = map(np.radians, (lon1, lat1, lon2, lat2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def read_csv(path):
    return pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)


class Layer:
    """The townships in one order, with everything the peers and the measures need."""

    def __init__(self, data_dir: Path, run_dir: Path):
        towns = read_csv(data_dir / "townships.csv")
        shapes = gpd.read_file(data_dir / "townships.geojson")
        shapes["code"] = shapes["code"].astype(str)
        plan = read_csv(run_dir / "townships.csv")
        frame = shapes[["code", "geometry"]].merge(towns, on="code", how="inner")
        frame = frame.merge(plan[["code", "terrain", "new_code"]], on="code", how="left")
        missing = len(towns) - len(frame)
        if missing:
            print(f"note: {missing} townships without a boundary are left out", file=sys.stderr)
        self.frame = gpd.GeoDataFrame(frame.reset_index(drop=True), geometry="geometry", crs=shapes.crs)
        f = self.frame
        self.code = f["code"].to_numpy()
        self.county = f["county_code"].to_numpy()
        self.kind = f["kind"].to_numpy()
        self.terrain = f["terrain"].to_numpy()
        self.lon = f["lon"].astype(float).to_numpy()
        self.lat = f["lat"].astype(float).to_numpy()
        self.registered = f["registered_pop"].astype(float).to_numpy()
        self.index = {c: i for i, c in enumerate(self.code)}
        lat0 = math.radians(float(np.mean(self.lat)))
        self.x = EARTH_RADIUS_KM * math.cos(lat0) * np.radians(self.lon)
        self.y = EARTH_RADIUS_KM * np.radians(self.lat)

        villages = read_csv(data_dir / "villages.csv")
        # As Jianzhi's coverage: special units (farms, mines) have no trip to a seat.
        villages = villages[villages["township_code"].isin(self.index) & (villages["kind"] != "special")]
        self.v_town = villages["township_code"].map(self.index).to_numpy()
        self.v_lon = villages["lon"].astype(float).to_numpy()
        self.v_lat = villages["lat"].astype(float).to_numpy()
        self.v_pop = villages["resident_pop"].astype(float).to_numpy()

        self.jianzhi_regions = f["new_code"].to_numpy()
        seat_of = {}
        for new_code in set(self.jianzhi_regions):
            seat_of[new_code] = self.index[new_code]
        self.jianzhi_seats = seat_of

        self.geoda = pygeoda.open(self.frame)
        self.queen = pygeoda.queen_weights(self.geoda)
        self.neighbours = [set(self.queen.get_neighbors(i)) for i in range(len(f))]
        self.by_county = defaultdict(list)
        for i, c in enumerate(self.county):
            self.by_county[c].append(i)
        # Each county's layer and contiguity as pygeoda takes them, built before any timing.
        self.county_geoda = {}
        for county, members in self.by_county.items():
            sub = self.frame.iloc[members].reset_index(drop=True)
            gda = pygeoda.open(sub)
            self.county_geoda[county] = (gda, pygeoda.queen_weights(gda))


class Floors:
    """The scenario's min_registered_pop by terrain (base limits where a class sets none)."""

    def __init__(self, scenario_path: Path):
        rules = tomllib.loads(scenario_path.read_text(encoding="utf-8")).get("townships", {})
        self.base = rules.get("limits", {}).get("min_registered_pop")
        self.terrain = {
            name: limits.get("min_registered_pop", self.base) for name, limits in rules.get("terrain", {}).items()
        }

    def of(self, terrain):
        return self.terrain.get(terrain, self.base)


def labels_to_regions(labels, members):
    """Peer cluster labels (one per member, in order) as lists of layer indices."""
    regions = defaultdict(list)
    for label, i in zip(labels, members):
        regions[label].append(i)
    return list(regions.values())


def jianzhi_counts(layer):
    counts = defaultdict(set)
    for i, new_code in enumerate(layer.jianzhi_regions):
        counts[layer.county[i]].add(new_code)
    return {c: len(s) for c, s in counts.items()}


def run_maxp(layer, floors):
    regions = []
    for county, members in layer.by_county.items():
        terrain = Counter(layer.terrain[i] for i in members).most_common(1)[0][0]
        floor = floors.of(terrain)
        total = layer.registered[members].sum()
        if floor is None or len(members) == 1:
            regions.extend([[i] for i in members])
            continue
        if total < 2 * floor:
            regions.append(members)
            continue
        _, w = layer.county_geoda[county]
        data = pd.DataFrame({"x": layer.x[members], "y": layer.y[members]})
        population = pd.Series(layer.registered[members])
        result = pygeoda.maxp_greedy(w, data, bound_variable=population, min_bound=floor)
        regions.extend(labels_to_regions(result["Clusters"], members))
    return regions


def run_tree(layer, method, k, county=None):
    """SKATER or REDCAP with k regions, on the province or on one county."""
    if county is None:
        members, w = list(range(len(layer.code))), layer.queen
    else:
        members, (_, w) = layer.by_county[county], layer.county_geoda[county]
    if k >= len(members):
        return [[i] for i in members]
    data = pd.DataFrame({"x": layer.x[members], "y": layer.y[members]})
    if method == "skater":
        result = pygeoda.skater(k, w, data, scale_method="raw")
    else:
        result = pygeoda.redcap(k, w, data, method="fullorder-averagelinkage", scale_method="raw")
    return labels_to_regions(result["Clusters"], members)


def run_skater_per_county(layer, counts):
    regions = []
    for county in layer.by_county:
        regions.extend(run_tree(layer, "skater", counts[county], county))
    return regions


def run_pmedian(layer, counts):
    regions, seats = [], []
    solver = pulp.PULP_CBC_CMD(msg=False)
    for county, members in layer.by_county.items():
        p = counts[county]
        if p >= len(members):
            regions.extend([[i] for i in members])
            seats.extend(members)
            continue
        in_county = np.isin(layer.v_town, members)
        v_lon, v_lat, v_pop, v_town = (a[in_county] for a in (layer.v_lon, layer.v_lat, layer.v_pop, layer.v_town))
        cost = haversine_km(v_lon[:, None], v_lat[:, None], layer.lon[members][None, :], layer.lat[members][None, :])
        model = PMedian.from_cost_matrix(cost, v_pop, p_facilities=p).solve(solver)
        open_sites = [j for j, var in enumerate(model.fac_vars) if var.value() and var.value() > 0.5]
        nearest = np.asarray(open_sites)[np.argmin(cost[:, open_sites], axis=1)]
        served = defaultdict(Counter)
        for town, site, pop in zip(v_town, nearest, v_pop):
            served[town][site] += pop
        groups = defaultdict(list)
        for i in members:
            site = served[i].most_common(1)[0][0] if served[i] else open_sites[0]
            groups[members[site]].append(i)
        for seat, group in groups.items():
            regions.append(group)
            seats.append(seat)
    return regions, seats


def measure(layer, floors, regions, seats=None):
    region_of = np.empty(len(layer.code), dtype=int)
    for r, members in enumerate(regions):
        region_of[members] = r
    if seats is None:
        seats = [best_seat(layer, members) for members in regions]
    seats = np.asarray(seats)
    v_region = region_of[layer.v_town]
    d = haversine_km(layer.v_lon, layer.v_lat, layer.lon[seats[v_region]], layer.lat[seats[v_region]])
    crossings = sum(1 for m in regions if len(set(layer.county[m])) > 1)
    broken = sum(1 for m in regions if not connected(layer, m))
    under = 0
    for m, seat in zip(regions, seats):
        floor = floors.of(layer.terrain[seat])
        if floor is not None and layer.registered[m].sum() < floor:
            under += 1
    return {
        "regions": len(regions),
        "crossings": crossings,
        "broken": broken,
        "distance": float((d * layer.v_pop).sum() / layer.v_pop.sum()),
        "under": under / len(regions),
    }


def best_seat(layer, members):
    """The member seat nearest the region's residents."""
    in_region = np.isin(layer.v_town, members)
    if not in_region.any():
        return members[0]
    v_lon, v_lat, v_pop = layer.v_lon[in_region], layer.v_lat[in_region], layer.v_pop[in_region]
    cost = haversine_km(v_lon[:, None], v_lat[:, None], layer.lon[members][None, :], layer.lat[members][None, :])
    return members[int(np.argmin(v_pop @ cost))]


def connected(layer, members):
    members = set(members)
    start = next(iter(members))
    seen, stack = {start}, [start]
    while stack:
        for n in layer.neighbours[stack.pop()] & members:
            if n not in seen:
                seen.add(n)
                stack.append(n)
    return len(seen) == len(members)


def timed(f):
    start = time.perf_counter()
    out = f()
    return out, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("run", type=Path)
    parser.add_argument("township_plan_ms", type=float)
    parser.add_argument("scenario_ms", type=float)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    layer = Layer(args.data, args.run)
    floors = Floors(args.run / "scenario.toml")
    counts = jianzhi_counts(layer)
    k = sum(counts.values())

    rows = []
    jianzhi_regions = defaultdict(list)
    for i, new_code in enumerate(layer.jianzhi_regions):
        jianzhi_regions[new_code].append(i)
    codes = list(jianzhi_regions)
    rows.append(
        ("Jianzhi (township plan)", args.township_plan_ms / 1000, measure(layer, floors, [jianzhi_regions[c] for c in codes], [layer.jianzhi_seats[c] for c in codes]))
    )
    peers = [
        ("max-p per county (pygeoda)", lambda: (run_maxp(layer, floors), None)),
        ("SKATER, province (pygeoda)", lambda: (run_tree(layer, "skater", k), None)),
        ("REDCAP, province (pygeoda)", lambda: (run_tree(layer, "redcap", k), None)),
        ("SKATER per county (pygeoda)", lambda: (run_skater_per_county(layer, counts), None)),
        ("p-median per county (spopt)", lambda: run_pmedian(layer, counts)),
    ]
    for name, run in peers:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        (regions, seats), seconds = timed(run)
        rows.append((name, seconds, measure(layer, floors, regions, seats)))

    fastest_peer = min(seconds for _, seconds, _ in rows[1:])
    lines = [
        f"{len(layer.code)} townships, {len(layer.by_county)} counties; Jianzhi's plan has {k} units.",
        "",
        "| plan | time (s) | regions | county crossings | contiguity violations | mean distance to seat (km, modelled) | regions under floor |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, seconds, m in rows:
        lines.append(
            f"| {name} | {seconds:.3f} | {m['regions']} | {m['crossings']} | {m['broken']} | {m['distance']:.3f} | {100 * m['under']:.1f}% |"
        )
    lines += [
        "",
        f"Jianzhi's township plan is {fastest_peer / rows[0][1]:.0f}x faster than the fastest peer; "
        f"its whole scenario (village plan, coverage and every figure too) took {args.scenario_ms:.0f} ms.",
    ]
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

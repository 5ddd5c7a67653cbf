"""Seed the demo utility: organisation, grid, customers and demo logins.

Deterministic from ``seed``; ``size`` chooses the scale:

    small   2 counties, 4 stations, ~60 transformer areas, ~1,500 customers (tests)
    default 6 counties, ~46 stations, ~300 feeders, ~3,000 areas, ~100,000 customers
    large   as default with ~6,000 areas and ~1,000,000 customers (benchmarks)
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from gridcare.customers.importers import write_customer_rows
from gridcare.demo.users import create_demo_users, create_field_staff, create_hotline_team
from gridcare.grid.models import Feeder, Substation, TransformerArea
from gridcare.org.choices import UnitKind
from gridcare.org.models import OrgUnit

from . import names as N


@dataclass(frozen=True)
class Size:
    counties: int
    stations_per_county: int
    feeders_per_station: tuple[int, int]
    areas_per_feeder: tuple[int, int]
    customers: int


SIZES = {
    "small": Size(2, 2, (2, 3), (4, 6), 1_500),
    "default": Size(6, 8, (5, 8), (8, 12), 100_000),
    "large": Size(6, 8, (5, 8), (17, 23), 1_000_000),
}


def person_name(rnd: random.Random) -> str:
    """A realistic Chinese full name (surname by frequency, one- or two-character given name)."""
    return Rand.person(rnd)


class Rand(random.Random):
    def person(self) -> str:
        surname = self.choices(N.SURNAMES, weights=N.SURNAME_WEIGHTS)[0]
        pool = N.GIVEN_MALE if self.random() < 0.5 else N.GIVEN_FEMALE
        given = self.choice(pool) + (self.choice(pool) if self.random() < 0.7 else "")
        return surname + given

    def mobile(self) -> str:
        prefix = self.choice(
            [
                "138",
                "139",
                "137",
                "136",
                "135",
                "150",
                "151",
                "152",
                "157",
                "158",
                "159",
                "182",
                "187",
                "188",
                "130",
                "131",
                "132",
                "155",
                "156",
                "185",
                "186",
                "133",
                "153",
                "180",
                "181",
                "189",
                "177",
                "199",
                "198",
                "166",
            ]
        )
        return prefix + f"{self.randrange(10**8):08d}"

    def landline(self) -> str:
        return f"0514-8{self.randrange(10**6, 10**7 - 1):07d}"[:13]


def _station_class(county_class: str, i: int) -> str:
    if county_class == "urban":
        return "urban" if i < 5 else "rural"
    if county_class == "rural":
        return "urban" if i == 0 else "rural"
    return "rural" if i < 2 else "remote"


def seed_utility(
    *, size: str = "default", seed: int = 20261122, progress=None, customers: int | None = None
) -> dict:
    """Create the demo utility in an empty database. Returns counts and the demo logins.

    ``customers`` overrides the size's customer count (benchmarks seed the grid only).
    """
    spec = SIZES[size]
    if customers is not None:
        spec = Size(
            spec.counties,
            spec.stations_per_county,
            spec.feeders_per_station,
            spec.areas_per_feeder,
            customers,
        )
    rnd = Rand(seed)
    say = progress or (lambda msg: None)
    now = timezone.now()
    with transaction.atomic():
        company = OrgUnit.objects.create(code=N.COMPANY[0], name=N.COMPANY[1], kind=UnitKind.COMPANY)
        city = OrgUnit.objects.create(code=N.CITY[0], name=N.CITY[1], kind=UnitKind.CITY, parent=company)
        counties, stations, teams = [], [], []
        for ccode, cname, cplace, cclass, towns in N.COUNTIES[: spec.counties]:
            county = OrgUnit.objects.create(code=ccode, name=cname, kind=UnitKind.COUNTY, parent=city)
            counties.append((county, cplace))
            for i, town in enumerate(towns[: spec.stations_per_county]):
                klass = _station_class(cclass, i)
                st = OrgUnit.objects.create(
                    code=f"{ccode}{i + 1:02d}",
                    name=f"{town}供电所",
                    kind=UnitKind.STATION,
                    parent=county,
                    area_class=klass,
                )
                stations.append((st, cplace, town, klass))
                teams.append(
                    OrgUnit.objects.create(
                        code=f"{st.code}01", name=f"{town}抢修班", kind=UnitKind.TEAM, parent=st
                    )
                )
                OrgUnit.objects.create(
                    code=f"{st.code}02", name=f"{town}营业班", kind=UnitKind.TEAM, parent=st
                )
        say(f"组织机构：{len(counties)} 个县公司，{len(stations)} 个供电所")

        substations = Substation.objects.bulk_create(
            [
                Substation(
                    name=f"{name}{rnd.choice(['110', '110', '220', '35'])}kV变电站", voltage_kv=Decimal("110")
                )
                for name in N.SUBSTATION_NAMES
            ]
        )
        feeders, feeder_station = [], []
        for si, (_st, _cplace, town, _klass) in enumerate(stations):
            for _ in range(rnd.randint(*spec.feeders_per_station)):
                n = len(feeders) + 1
                sub = substations[(si * 3 + rnd.randrange(3)) % len(substations)]
                feeders.append(
                    Feeder(
                        code=f"F{n:05d}",
                        name=f"10kV{town}{rnd.choice(N.FEEDER_WORDS)}{n % 97 + 1}线",
                        substation=sub,
                    )
                )
                feeder_station.append(si)
        feeders = Feeder.objects.bulk_create(feeders)
        areas = []
        lat0, lng0 = 32.39, 119.42
        centres = [
            (
                lat0 + (si % 7 - 3) * 0.09 + rnd.uniform(-0.02, 0.02),
                lng0 + (si // 7 - 3) * 0.11 + rnd.uniform(-0.02, 0.02),
            )
            for si in range(len(stations))
        ]
        for f, si in zip(feeders, feeder_station, strict=True):
            st, _cplace, town, klass = stations[si]
            for _ in range(rnd.randint(*spec.areas_per_feeder)):
                if klass == "urban":
                    place = rnd.choice(N.ESTATES) + rnd.choice(N.ESTATE_SUFFIX)
                    cap = rnd.choice([315, 400, 500, 630, 800, 1000])
                else:
                    place = rnd.choice(N.VILLAGE_PREFIX) + rnd.choice(N.VILLAGE_SUFFIX)
                    cap = rnd.choice([100, 160, 200, 250, 315, 400])
                lat, lng = centres[si]
                areas.append(
                    TransformerArea(
                        code=f"{st.code}{len(areas) + 1:05d}",
                        name=f"{town}{place}{rnd.randint(1, 12)}号台区",
                        feeder=f,
                        station=st,
                        capacity_kva=Decimal(cap),
                        area_class=klass,
                        latitude=Decimal(f"{lat + rnd.uniform(-0.03, 0.03):.6f}"),
                        longitude=Decimal(f"{lng + rnd.uniform(-0.03, 0.03):.6f}"),
                    )
                )
        areas = TransformerArea.objects.bulk_create(areas, batch_size=2000)
        say(f"电网：{len(substations)} 座变电站，{len(feeders)} 条线路，{len(areas)} 个台区")

        station_info = {st.pk: (cplace, town, klass) for st, cplace, town, klass in stations}
        rows = []
        # Urban areas are denser: weight customers by capacity.
        weights = [float(a.capacity_kva) for a in areas]
        chosen = rnd.choices(range(len(areas)), weights=weights, k=spec.customers)
        chosen.sort()
        seq_by_station: dict[int, int] = {}
        for ai in chosen:
            a = areas[ai]
            cplace, town, klass = station_info[a.station_id]
            seq = seq_by_station.get(a.station_id, 0) + 1
            seq_by_station[a.station_id] = seq
            no = f"3{a.station.code[3]}{a.station.code[4:6]}{seq:06d}"
            r = rnd.random()
            if r < 0.915:
                cat, tariff, volt, cap = (
                    "residential",
                    rnd.choice(["居民生活用电", "居民生活用电", "居民峰谷分时"]),
                    Decimal("0.22"),
                    Decimal(rnd.choice([4, 6, 8, 8, 10, 12, 16])),
                )
                name = rnd.person()
            elif r < 0.985:
                # Shops and workshops pay the commercial tariff; farms, greenhouses and pumping
                # stations the agricultural one (more of them in the countryside).
                if rnd.random() < (0.25 if klass != "urban" else 0.03):
                    tariff, business = "农业生产", rnd.choice(N.FARMING)
                else:
                    tariff, business = "一般工商业", rnd.choice(N.BUSINESS)
                cat, volt, cap = (
                    "lv_non_residential",
                    Decimal("0.38"),
                    Decimal(rnd.choice([15, 20, 30, 50, 80, 100])),
                )
                name = f"{town}{rnd.person()}{business}"
            elif r < 0.997:
                cat, tariff, volt, cap = (
                    "hv_single",
                    rnd.choice(["大工业", "一般工商业"]),
                    Decimal("10"),
                    Decimal(rnd.choice([315, 400, 630, 800, 1250, 2000])),
                )
                name = f"扬州{rnd.choice(N.ROADS)}{rnd.choice(N.ENTERPRISE)}"
            else:
                cat, tariff, volt, cap = (
                    "hv_dual",
                    "大工业",
                    Decimal("10"),
                    Decimal(rnd.choice([2000, 3150, 5000])),
                )
                name = (
                    f"扬州{rnd.choice(N.ROADS)}{rnd.choice(['医院', '数据中心', '化工有限公司', '自来水厂'])}"
                )
            if klass == "urban":
                address = (
                    f"江苏省扬州市{cplace}{rnd.choice(N.ROADS)}{rnd.choice(N.ROAD_SUFFIX)}{rnd.randint(1, 399)}号"
                    + (
                        f"{a.name.replace(town, '').split('号台区')[0].rstrip('0123456789')}"
                        f"{rnd.randint(1, 40)}幢{rnd.randint(1, 4)}单元{rnd.randint(1, 18)}0{rnd.randint(1, 4)}室"
                        if cat == "residential"
                        else ""
                    )
                )
            else:
                village = a.name.replace(town, "").split("号台区")[0].rstrip("0123456789")
                address = f"江苏省扬州市{cplace}{town}镇{village}{rnd.randint(1, 12)}组{rnd.randint(1, 80)}号"
            phone = rnd.mobile() if rnd.random() < 0.93 else rnd.landline()
            phone2 = rnd.mobile() if rnd.random() < 0.08 else ""
            important = cat == "hv_dual" or (cat == "hv_single" and rnd.random() < 0.3)
            sensitive = rnd.random() < 0.006
            rows.append(
                (
                    no,
                    name,
                    phone,
                    phone2,
                    address,
                    a.pk,
                    a.station_id,
                    cat,
                    tariff,
                    volt,
                    cap,
                    important,
                    sensitive,
                )
            )
        step = 50_000
        for i in range(0, len(rows), step):
            write_customer_rows(rows[i : i + step], [], now)
            say(f"客户：{min(i + step, len(rows))}/{len(rows)}")
        units = {
            "company": company,
            "city": city,
            "county": counties[0][0],
            "station": stations[0][0],
            "team": teams[0],
        }
        logins = create_demo_users(units=units)
        names = Rand(seed + 17)
        create_hotline_team(city=city, names=iter(names.person, None))
        create_field_staff(
            counties=[county for county, _place in counties],
            teams=teams,
            names=iter(names.person, None),
        )
        from gridcare.demo.grids import seed_grids

        seed_grids(names=iter(names.person, None))
    return {
        "counties": len(counties),
        "stations": len(stations),
        "feeders": len(feeders),
        "areas": len(areas),
        "customers": len(rows),
        "logins": logins,
    }


HISTORY_ORDERS_PER_DAY = {"small": 20.0, "default": 150.0, "large": 1200.0}


def seed_demo(
    *, size: str = "default", seed: int = 20261122, history_days: int = 365, stdout=None, progress=None
) -> dict:
    """Everything ``gridcare demo`` seeds, in one place (the command and the crawl tests use it):
    the utility, ``history_days`` of work orders with their escalation side, outages, a year
    of bills with the credit ratings, the hotline's contact volume and forecast, and planner
    statistics."""
    from gridcare.demo.care import seed_care
    from gridcare.demo.escalation import seed_escalation_history
    from gridcare.demo.keyaccounts import seed_keyaccounts
    from gridcare.demo.outages import seed_outages
    from gridcare.demo.workforce import seed_demo_forecast
    from gridcare.demo.workorders import seed_work_orders

    result = seed_utility(size=size, seed=seed, progress=progress)
    if history_days:
        if stdout is not None:
            stdout.write(f"正在生成 {history_days} 天的工单历史……")
        result["history"] = seed_work_orders(
            seed=seed, days=history_days, orders_per_day=HISTORY_ORDERS_PER_DAY[size], stdout=stdout
        )
        result["escalation"] = seed_escalation_history(seed=seed, stdout=stdout)
        result["outages"] = seed_outages(seed=seed, stdout=stdout)
        result["care"] = seed_care(seed=seed, stdout=stdout)
        result["keyaccounts"] = seed_keyaccounts(seed=seed, stdout=stdout)
        from gridcare.demo.hall import seed_hall

        result["hall"] = seed_hall(seed=seed, size=size, stdout=stdout)
        from gridcare.demo.dataquality import seed_dataquality
        from gridcare.demo.proactive import seed_proactive

        result["proactive"] = seed_proactive(seed=seed, stdout=stdout)
        result["dataquality"] = seed_dataquality(seed=seed, stdout=stdout)
        from gridcare.demo.applications import seed_applications

        result["applications"] = seed_applications(seed=seed, size=size, stdout=stdout)
        from gridcare.demo.knowledge import seed_knowledge

        result["knowledge"] = seed_knowledge(seed=seed, stdout=stdout)
        from gridcare.demo.inspections import seed_inspections

        result["inspections"] = seed_inspections(seed=seed, size=size, stdout=stdout)
        from gridcare.demo.surveys import seed_surveys

        result["surveys"] = seed_surveys(seed=seed, size=size, stdout=stdout)
        from gridcare.demo.evaluation import seed_evaluation

        result["evaluation"] = seed_evaluation(seed=seed, size=size, stdout=stdout)
        from gridcare.demo.supervision import seed_supervision

        result["supervision"] = seed_supervision(seed=seed, size=size, stdout=stdout)
        from gridcare.demo.partners import seed_partners

        result["partners"] = seed_partners(seed=seed, size=size, stdout=stdout)
        from gridcare.demo.webhooks import seed_webhooks

        result["webhooks"] = seed_webhooks(seed=seed, size=size, stdout=stdout)
        from gridcare.demo.planning import seed_hotspot_plan

        result["planning"] = seed_hotspot_plan(seed=seed, stdout=stdout)
        from gridcare.demo.portal import seed_portal

        result["portal"] = seed_portal(seed=seed, size=size, stdout=stdout)
        seed_demo_forecast(seed=seed, stdout=stdout)
    from gridcare.core.maintenance import refresh_statistics

    refresh_statistics()  # bulk-loaded tables: give the planner its statistics
    return result

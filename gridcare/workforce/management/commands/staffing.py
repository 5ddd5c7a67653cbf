"""`gridcare staffing`: agents needed for one interval (Erlang C, or Erlang A with --patience)."""

from __future__ import annotations

import json
import math

from django.core.management.base import BaseCommand, CommandError

from gridcare.workforce.erlang import ErlangError, required_agents


class Command(BaseCommand):
    help = "坐席需求计算：给定来电量、平均处理时长与服务水平目标，求最少坐席数（Erlang C / Erlang A）"
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("--calls", type=float, required=True, help="calls offered in the interval")
        parser.add_argument("--interval-seconds", type=float, default=1800, dest="interval_seconds")
        parser.add_argument("--aht", type=float, required=True, help="average handling time, seconds")
        parser.add_argument("--target", type=float, default=0.8, help="service level target, e.g. 0.8")
        parser.add_argument("--answer-within", type=float, default=20, dest="answer_within", help="seconds")
        parser.add_argument("--patience", type=float, help="mean caller patience, seconds (Erlang A)")
        parser.add_argument("--shrinkage", type=float, default=0.0, help="share of paid time off the phones")
        parser.add_argument("--max-occupancy", type=float, default=1.0, dest="max_occupancy")
        parser.add_argument(
            "--max-abandon", type=float, dest="max_abandon", help="abandonment ceiling (Erlang A)"
        )
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **o):
        try:
            r = required_agents(
                calls=o["calls"],
                interval_seconds=o["interval_seconds"],
                aht=o["aht"],
                target=o["target"],
                answer_within=o["answer_within"],
                patience=o["patience"],
                shrinkage=o["shrinkage"],
                max_occupancy=o["max_occupancy"],
                max_abandon=o["max_abandon"],
            )
        except ErlangError as exc:
            raise CommandError(exc.message)
        asa = None if math.isinf(r.asa_seconds) else r.asa_seconds
        if o["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "agents": r.agents,
                        "service_level": r.service_level,
                        "asa_seconds": asa,
                        "abandon_rate": r.abandon_rate,
                    }
                )
            )
            return
        model = "Erlang A" if o["patience"] else "Erlang C"
        lines = [
            f"model              {model}",
            f"traffic            {r.traffic_erlangs:.2f} Erlangs",
            f"agents             {r.agents}"
            + (
                f" (on the phones {r.productive_agents}, shrinkage {o['shrinkage']:.0%})"
                if o["shrinkage"]
                else ""
            ),
            f"service level      {r.service_level:.2%} answered within {o['answer_within']:g} s",
            f"ASA (mean wait)    {r.asa_seconds:.1f} s",
            f"wait probability   {r.wait_probability:.2%}",
            f"occupancy          {r.occupancy:.2%}",
        ]
        if r.abandon_rate is not None:
            lines.append(f"abandon rate       {r.abandon_rate:.2%}")
        self.stdout.write("\n".join(lines))

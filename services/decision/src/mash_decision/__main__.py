import sys

from mash_common.http import serve

from .bootstrap import build_app
from .config import DecisionSettings


def main() -> None:
    """`mash-decision` runs the service; `mash-decision replay ...` rebuilds its pictures."""
    if sys.argv[1:2] == ["replay"]:
        from .entrypoints.replay import main as replay

        raise SystemExit(replay(sys.argv[2:]))
    serve(DecisionSettings(), build_app)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()

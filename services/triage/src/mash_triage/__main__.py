from mash_common.http import serve

from .bootstrap import build_app
from .config import TriageSettings


def main() -> None:
    serve(TriageSettings(), build_app)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()

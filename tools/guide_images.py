"""Copy the screenshots the French guide shows from the browser journeys' artefacts into docs/guide/images/.

The journeys (kinga/core/tests/test_journeys_browser.py) save every step at 360 px under test-results/journeys/;
this keeps the top of the chosen ones (a phone screen or two), in 256 colours, so that the guide stays light.
Usage, after the journeys ran: python tools/guide_images.py
"""

import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "test-results" / "journeys"
IMAGES = ROOT / "docs" / "guide" / "images"
MAX_HEIGHT = 1500  # px at 360 px wide: about two phone screens

# journey step -> image of the guide (the page that shows it says which)
CHOSEN = {
    "travailleur-1-accueil": "accueil-travailleur-social.png",  # accueil.md
    "travailleur-4-cloture": "cas-cloture.png",  # cas.md
    "superviseur-3-decision": "cas-decision-superviseur.png",  # cas.md
    "responsable-3-menage": "menage.png",  # menages.md
    "saisie-2-import": "import-enquetes.png",  # menages.md
    "pointfocal-2-nouvelle-alerte": "alerte-nouvelle.png",  # communaute.md
    "inspecteur-3-carte-chargee": "carte-sites.png",  # sites.md
    "admin-2-regles": "regles-statut.png",  # sites.md
    "entreprise-3-diligence": "diligence-entreprise.png",  # chaine-approvisionnement.md
    "bailleur-2-tableau-de-bord": "tableau-de-bord-bailleur.png",  # tableau-de-bord.md
    "coordinateur-3-plan": "plan.png",  # plan.md
}


def main() -> int:
    missing = []
    for step, name in CHOSEN.items():
        found = sorted(SHOTS.glob(f"{step}.png"))
        if not found:
            missing.append(step)
            continue
        image = Image.open(found[0]).convert("RGB")
        if image.height > MAX_HEIGHT:
            image = image.crop((0, 0, image.width, MAX_HEIGHT))
        image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(IMAGES / name, optimize=True)
        print(f"{step} -> docs/guide/images/{name}")
    if missing:
        print(f"not found under {SHOTS}: {', '.join(missing)} (run the journeys first)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Stage 0: the site registry, and the city partitions it defines."""

import dagster as dg

from pipelines.assets.state import CITY_PARTITIONS
from pipelines.inputs import digest
from pipelines.resources import WarehouseResource
from scrapers.registry import Registry

REGISTRY_KEY = dg.AssetKey("registry")


def registry_fingerprint(loaded: Registry) -> str:
    """`gjj run` materializes the registry again only when this changed."""
    return digest(list(loaded.cities))


def sync_city_partitions(instance: dg.DagsterInstance, registry: Registry) -> list[str]:
    """Add a partition for every registry city that has none yet; return the registry's codes.

    Partitions of cities dropped from the registry are kept: their history stays browsable."""
    codes = [city.code for city in registry.cities]
    known = set(instance.get_dynamic_partitions(CITY_PARTITIONS.name))
    missing = [code for code in codes if code not in known]
    if missing:
        instance.add_dynamic_partitions(CITY_PARTITIONS.name, missing)
    return codes


@dg.asset(group_name="registry", compute_kind="yaml")
def registry(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """The cities to ingest (scrapers/registry.yaml); one `city` partition per city."""
    loaded = warehouse.registry()
    codes = sync_city_partitions(context.instance, loaded)
    return dg.MaterializeResult(
        metadata={
            "cities": len(codes),
            "synthetic": sum(c.synthetic for c in loaded.cities),
            "codes": ", ".join(codes),
            "fingerprint": registry_fingerprint(loaded),
        }
    )

"""``maskkit config``: show or save the effective configuration."""

from __future__ import annotations

import click

from maskkit.cli.options import build_config, config_options, config_request, dataset_args


@click.group("config")
def config() -> None:
    """Show or save a configuration."""


@config.command("show")
@config_options
@click.option("--dataset", "dataset_name", default=None, metavar="NAME",
              help="Show the config `maskkit train --dataset NAME` would use: the dataset's recommended preset "
                   "(unless --preset or the file's preset key says otherwise) and its NUM_CLASSES.")
@click.option("--data", "data_items", multiple=True, metavar="KEY=VALUE",
              help="Argument of the dataset's factory (with --dataset); repeatable.")
@click.option("--why", "why_fields", multiple=True, metavar="FIELD",
              help="Print only FIELD's value and where it came from (default, preset NAME, dataset NAME, "
                   "backbone NAME, file NAME, --set); repeatable.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of the table.")
def show(preset: str | None, config_path: str | None, overrides: tuple[str, ...], dataset_name: str | None,
         data_items: tuple[str, ...], why_fields: tuple[str, ...], as_json: bool) -> None:
    """Print the configuration after the file and --set overrides are applied (and --dataset's classes)."""
    import json

    from maskkit.config_assembly import PLAN_SOURCE, assemble_config, plan_request

    if data_items and not dataset_name:
        raise click.UsageError("--data needs --dataset NAME")
    dataset = None
    if dataset_name:
        import maskkit

        dataset = maskkit.datasets.create(dataset_name, **{"subset": "train", **dataset_args(data_items)})
    request = plan_request(config_request(config_path, overrides, preset), dataset_name, dataset)
    assembled = assemble_config(request, dataset_name=dataset_name, dataset=dataset)
    cfg = assembled.config
    if why_fields and as_json:
        click.echo(json.dumps([assembled.explain(field) for field in why_fields], indent=2))
    elif why_fields:
        click.echo("\n".join(assembled.why(field) for field in why_fields))
    elif as_json:
        click.echo(json.dumps(cfg.to_dict(), indent=2))
    else:
        heading = ""
        if dataset is not None:
            heading = (f"dataset {dataset_name}: {dataset.num_classes - 1} classes + BG "
                       f"({', '.join(dataset.class_names[1:])}); preset {assembled.preset}"
                       f"{', with a data plan' if PLAN_SOURCE in assembled.sources.values() else ''}\n")
        click.echo(heading + cfg.format_table())


@config.command("save")
@config_options
@click.argument("path", type=click.Path(dir_okay=False))
def save(preset: str | None, config_path: str | None, overrides: tuple[str, ...], path: str) -> None:
    """Write the configuration to PATH in the format its extension names (.json, .yaml/.yml or .toml)."""
    from maskkit.output_paths import check_writable_file

    check_writable_file(path, "config file")
    build_config(config_path, overrides, preset).save(path)
    click.echo(f"wrote {path}")

"""``maskkit config``: show or save the effective configuration."""

from __future__ import annotations

import click

from maskkit.cli.options import assembled_config, build_config, config_options, dataset_args, sets_field


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
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of the table.")
def show(preset: str | None, config_path: str | None, overrides: tuple[str, ...], dataset_name: str | None,
         data_items: tuple[str, ...], as_json: bool) -> None:
    """Print the configuration after the file and --set overrides are applied (and --dataset's classes)."""
    import json

    if data_items and not dataset_name:
        raise click.UsageError("--data needs --dataset NAME")
    cfg, base = assembled_config(config_path, overrides, preset, dataset_name)
    heading = ""
    if dataset_name:
        import maskkit
        from maskkit.pipeline_config import fit_config_to_dataset

        dataset = maskkit.datasets.create(dataset_name, **{"subset": "train", **dataset_args(data_items)})
        cfg = fit_config_to_dataset(cfg, dataset, explicit=sets_field(overrides, "NUM_CLASSES"))
        heading = (f"dataset {dataset_name}: {dataset.num_classes - 1} classes + BG "
                   f"({', '.join(dataset.class_names[1:])}); preset {base}\n")
    if as_json:
        click.echo(json.dumps(cfg.to_dict(), indent=2))
    else:
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

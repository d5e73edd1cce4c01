// placeholder: the real entry point comes with the CLI.

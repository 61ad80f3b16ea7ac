"""The published level: printed numbers and the checks that relate them."""

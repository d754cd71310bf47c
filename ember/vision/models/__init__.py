"""Model architectures, as `torchvision.models` (filled in by the models work; nothing exported yet)."""
__all__ = []

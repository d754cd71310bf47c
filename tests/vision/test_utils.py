"""ember.vision.utils: make_grid's layout and save_image's file."""
import numpy as np
import pytest
from PIL import Image

import ember
from ember.vision.utils import make_grid, save_image


def test_grid_layout_and_padding():
    images = np.arange(5 * 3 * 2 * 4, dtype=np.float32).reshape(5, 3, 2, 4)
    grid = make_grid(ember.from_numpy(images), nrow=2, padding=1, pad_value=-1).numpy()
    # 2 columns x 3 rows of (2+1) x (4+1) cells, plus one closing strip of padding
    assert grid.shape == (3, 3 * 3 + 1, 5 * 2 + 1)
    for k in range(5):
        row, col = divmod(k, 2)
        np.testing.assert_array_equal(grid[:, row * 3 + 1:row * 3 + 3, col * 5 + 1:col * 5 + 5], images[k])
    assert (grid[:, 0] == -1).all() and (grid[:, :, 0] == -1).all() and (grid[:, 7:, 6:] == -1).all()


def test_grid_single_channel_and_list_input():
    images = [ember.rand(1, 3, 3) for _ in range(3)]
    grid = make_grid(images, padding=0)
    assert tuple(grid.shape) == (3, 3, 9)
    np.testing.assert_array_equal(grid.numpy()[0], grid.numpy()[2])
    single = make_grid(ember.rand(1, 4, 5))
    assert tuple(single.shape) == (3, 4, 5)
    with pytest.raises(TypeError):
        make_grid([np.zeros((3, 2, 2))])


def test_grid_normalize():
    images = np.stack([np.full((3, 2, 2), 2.0, np.float32), np.full((3, 2, 2), 6.0, np.float32)])
    images[1, 0, 0, 0] = 4.0
    grid = make_grid(ember.from_numpy(images.copy()), normalize=True, padding=0).numpy()
    assert grid.min() == 0.0 and grid.max() == 1.0 and grid[0, 0, 2] == 0.5
    each = make_grid(ember.from_numpy(images.copy()), normalize=True, scale_each=True, padding=0).numpy()
    np.testing.assert_allclose(each[:, :, :2], 0.0, atol=0)   # a constant image: (x - min) / 1e-5 = 0
    ranged = make_grid(ember.from_numpy(images.copy()), normalize=True, value_range=(0.0, 4.0), padding=0).numpy()
    assert ranged.max() == 1.0 and ranged[0, 0, 0] == 0.5
    with pytest.raises(TypeError):
        make_grid(ember.from_numpy(images), normalize=True, value_range=[0, 1])


def test_save_image_png(tmp_path):
    images = ember.rand(3, 3, 4, 5)
    path = tmp_path / 'grid.png'
    save_image(images, str(path), nrow=3)
    saved = np.asarray(Image.open(path))
    grid = make_grid(images, nrow=3).numpy()
    expected = np.clip(grid * 255 + 0.5, 0, 255).astype(np.uint8).transpose(1, 2, 0)
    np.testing.assert_array_equal(saved, expected)
    save_image(images, str(tmp_path / 'grid.bin'), format='PNG')
    assert Image.open(tmp_path / 'grid.bin').format == 'PNG'

"""Op table rows: nn.functional's embeddings, padding, resampling and distances."""
import numpy as np

from ._spec import OpCase, ErrorCase, Int, Arr


def F(m):
    return m.nn.functional


_PAD_MODES = ['reflect', 'replicate', 'circular']

OP_CASES = [
    # ---- pad
    OpCase('pad_constant_last_dim', lambda m, x: F(m).pad(x, (1, 2)), [(2, 3)]),
    OpCase('pad_constant_value_4dims', lambda m, x: F(m).pad(x, (1, 0, 0, 1, 2, 1, 1, 0), value=-2.5),
           [(2, 1, 2, 2)]),
    OpCase('pad_constant_negative', lambda m, x: F(m).pad(x, (-1, 1, 0, -2)), [(3, 4, 3)]),
    OpCase('constant_pad_nd', lambda m, x: m.constant_pad_nd(x, (0, 1, 1, 1), 1.5), [(2, 3)]),
    OpCase('pad_constant_int', lambda m, x: F(m).pad(x, (1, 1), value=7), [Int((2, 3), 0, 5)], grad=False),
    *[OpCase(f'pad_{mode}_1d', lambda m, x, mode=mode: F(m).pad(x, (2, 1), mode=mode), [(2, 3, 4)])
      for mode in _PAD_MODES],
    *[OpCase(f'pad_{mode}_2d', lambda m, x, mode=mode: F(m).pad(x, (1, 2, 2, 0), mode=mode), [(1, 2, 3, 3)])
      for mode in _PAD_MODES],
    *[OpCase(f'pad_{mode}_2d_unbatched', lambda m, x, mode=mode: F(m).pad(x, (0, 1, 1, 1), mode=mode), [(2, 3, 2)])
      for mode in _PAD_MODES],
    *[OpCase(f'pad_{mode}_3d', lambda m, x, mode=mode: F(m).pad(x, (1, 0, 0, 1, 1, 1), mode=mode),
             [(1, 1, 2, 2, 3)]) for mode in _PAD_MODES],
    *[OpCase(f'pad_{mode}_crop', lambda m, x, mode=mode: F(m).pad(x, (-1, 2, 1, -1), mode=mode), [(1, 2, 3, 4)])
      for mode in _PAD_MODES],
    OpCase('pad_reflect_int', lambda m, x: F(m).pad(x, (2, 1), mode='reflect'), [Int((1, 2, 4), 0, 9)], grad=False),
    # ---- interpolate
    OpCase('interpolate_nearest_1d', lambda m, x: F(m).interpolate(x, scale_factor=1.6), [(1, 2, 5)]),
    OpCase('interpolate_nearest_2d_size', lambda m, x: F(m).interpolate(x, size=(5, 2)), [(1, 2, 3, 4)]),
    OpCase('interpolate_nearest_2d_down', lambda m, x: F(m).interpolate(x, scale_factor=(0.5, 0.34)),
           [(1, 1, 4, 6)]),
    OpCase('interpolate_nearest_3d', lambda m, x: F(m).interpolate(x, scale_factor=2), [(1, 1, 2, 1, 2)]),
    OpCase('interpolate_nearest_exact', lambda m, x: F(m).interpolate(x, size=(4, 7), mode='nearest-exact'),
           [(1, 2, 3, 3)]),
    OpCase('interpolate_nearest_exact_1d', lambda m, x: F(m).interpolate(x, scale_factor=0.7, mode='nearest-exact'),
           [(2, 1, 6)]),
    OpCase('interpolate_linear', lambda m, x: F(m).interpolate(x, scale_factor=1.5, mode='linear'), [(1, 2, 4)]),
    OpCase('interpolate_linear_down_align', lambda m, x: F(m).interpolate(x, size=3, mode='linear',
                                                                          align_corners=True), [(1, 2, 7)]),
    OpCase('interpolate_bilinear', lambda m, x: F(m).interpolate(x, size=(5, 3), mode='bilinear'), [(1, 2, 3, 4)]),
    OpCase('interpolate_bilinear_scale', lambda m, x: F(m).interpolate(x, scale_factor=(1.3, 0.6), mode='bilinear'),
           [(1, 1, 4, 5)]),
    OpCase('interpolate_bilinear_align', lambda m, x: F(m).interpolate(x, scale_factor=2, mode='bilinear',
                                                                       align_corners=True), [(1, 2, 2, 3)]),
    OpCase('interpolate_bilinear_recompute', lambda m, x: F(m).interpolate(
        x, scale_factor=1.3, mode='bilinear', recompute_scale_factor=True), [(1, 1, 3, 5)]),
    OpCase('interpolate_bicubic', lambda m, x: F(m).interpolate(x, scale_factor=1.5, mode='bicubic'),
           [(1, 1, 3, 4)]),
    OpCase('interpolate_bicubic_down', lambda m, x: F(m).interpolate(x, size=(2, 3), mode='bicubic'),
           [(1, 2, 5, 5)]),
    OpCase('interpolate_bicubic_align', lambda m, x: F(m).interpolate(x, size=(4, 4), mode='bicubic',
                                                                      align_corners=True), [(1, 1, 3, 2)]),
    OpCase('interpolate_trilinear', lambda m, x: F(m).interpolate(x, size=(3, 2, 4), mode='trilinear'),
           [(1, 1, 2, 3, 2)]),
    OpCase('interpolate_area_1d', lambda m, x: F(m).interpolate(x, size=3, mode='area'), [(1, 2, 7)]),
    OpCase('interpolate_area_2d', lambda m, x: F(m).interpolate(x, size=(3, 2), mode='area'), [(1, 2, 5, 5)]),
    OpCase('interpolate_area_3d_up', lambda m, x: F(m).interpolate(x, scale_factor=1.5, mode='area'),
           [(1, 1, 2, 2, 3)]),
    # antialias=True: PIL's filters, stretched when shrinking (width 1 outputs avoided: PyTorch's forward
    # copies the first row there, a bug its backward doesn't share)
    OpCase('interpolate_bilinear_aa_down', lambda m, x: F(m).interpolate(x, size=(3, 4), mode='bilinear',
                                                                         antialias=True), [(1, 2, 7, 9)]),
    OpCase('interpolate_bilinear_aa_up', lambda m, x: F(m).interpolate(x, size=(9, 11), mode='bilinear',
                                                                       antialias=True), [(1, 1, 4, 5)]),
    OpCase('interpolate_bilinear_aa_mixed_scale', lambda m, x: F(m).interpolate(
        x, scale_factor=(0.4, 1.7), mode='bilinear', antialias=True), [(2, 1, 6, 5)]),
    OpCase('interpolate_bilinear_aa_align', lambda m, x: F(m).interpolate(
        x, size=(3, 5), mode='bilinear', align_corners=True, antialias=True), [(1, 2, 7, 6)]),
    OpCase('interpolate_bilinear_aa_same_height', lambda m, x: F(m).interpolate(
        x, size=(7, 4), mode='bilinear', antialias=True), [(1, 1, 7, 9)]),
    OpCase('interpolate_bicubic_aa_down', lambda m, x: F(m).interpolate(x, scale_factor=0.37, mode='bicubic',
                                                                        antialias=True), [(1, 2, 7, 9)]),
    OpCase('interpolate_bicubic_aa_up_recompute', lambda m, x: F(m).interpolate(
        x, scale_factor=1.6, mode='bicubic', antialias=True, recompute_scale_factor=True), [(1, 1, 4, 3)]),
    OpCase('interpolate_bicubic_aa_align', lambda m, x: F(m).interpolate(
        x, size=(4, 9), mode='bicubic', align_corners=True, antialias=True), [(1, 1, 10, 6)]),
    OpCase('interpolate_lanczos_aa', lambda m, x: F(m).interpolate(x, size=(3, 7), mode='lanczos', antialias=True),
           [(1, 2, 8, 5)]),
    OpCase('upsample_bilinear_deprecated', lambda m, x: F(m).upsample_bilinear(x, scale_factor=2), [(1, 1, 2, 2)]),
    # ---- pixel shuffle
    OpCase('pixel_shuffle', lambda m, x: F(m).pixel_shuffle(x, 2), [(1, 8, 2, 3)]),
    OpCase('pixel_shuffle_batch_dims', lambda m, x: m.pixel_shuffle(x, 2), [(2, 1, 4, 1, 2)]),
    OpCase('pixel_unshuffle', lambda m, x: F(m).pixel_unshuffle(x, 3), [(1, 1, 3, 6)]),
    # ---- embeddings
    OpCase('embedding', lambda m, w, i: F(m).embedding(i, w), [(5, 3), Int((2, 3), 0, 5)]),
    OpCase('embedding_int32_indices', lambda m, w, i: F(m).embedding(i, w), [(5, 3), Int((4,), 0, 5, np.int32)]),
    OpCase('embedding_padding_idx', lambda m, w, i: F(m).embedding(i, w, padding_idx=1),
           [(4, 2), Arr([[1, 0, 3], [1, 1, 2]])]),
    OpCase('embedding_scale_grad_by_freq', lambda m, w, i: F(m).embedding(i, w, scale_grad_by_freq=True),
           [(4, 2), Arr([0, 0, 2, 3, 3, 3])]),
    OpCase('torch_embedding', lambda m, w, i: m.embedding(w, i), [(5, 3), Int((3,), 0, 5)]),
    OpCase('embedding_bag_sum', lambda m, w, i, o: F(m).embedding_bag(i, w, o, mode='sum'),
           [(5, 2), Arr([0, 1, 4, 4, 2]), Arr([0, 2, 2])]),
    OpCase('embedding_bag_mean_2d', lambda m, w, i: F(m).embedding_bag(i, w), [(5, 2), Int((3, 2), 0, 5)]),
    OpCase('embedding_bag_max', lambda m, w, i, o: F(m).embedding_bag(i, w, o, mode='max'),
           [(5, 3), Arr([0, 1, 4, 3, 2]), Arr([0, 3])]),
    OpCase('embedding_bag_per_sample_weights', lambda m, w, i, o, p: F(m).embedding_bag(
        i, w, o, mode='sum', per_sample_weights=p), [(5, 2), Arr([0, 1, 4, 3]), Arr([0, 1]), (4,)]),
    OpCase('embedding_bag_padding_idx', lambda m, w, i: F(m).embedding_bag(i, w, mode='mean', padding_idx=4),
           [(5, 2), Arr([[0, 4, 3], [4, 4, 4]])]),
    OpCase('one_hot', lambda m, i: F(m).one_hot(i), [Int((2, 3), 0, 4)], grad=False),
    OpCase('one_hot_num_classes', lambda m, i: F(m).one_hot(i, num_classes=6), [Int((5,), 0, 4)], grad=False),
    # ---- distances
    OpCase('normalize', lambda m, x: F(m).normalize(x), [(3, 4)]),
    OpCase('normalize_p1_dim0', lambda m, x: F(m).normalize(x, p=1.0, dim=0), [(3, 4)]),
    OpCase('normalize_eps', lambda m, x: F(m).normalize(x, dim=-1, eps=0.5), [(2, 3, 2)]),
    OpCase('cosine_similarity', lambda m, a, b: F(m).cosine_similarity(a, b), [(3, 4), (3, 4)]),
    OpCase('cosine_similarity_broadcast', lambda m, a, b: F(m).cosine_similarity(a, b, dim=-1), [(2, 1, 3), (4, 3)]),
    OpCase('cosine_similarity_small_norm', lambda m, a, b: F(m).cosine_similarity(a * 1e-4, b, eps=1e-3),
           [(2, 3), (2, 3)]),
    OpCase('torch_cosine_similarity', lambda m, a, b: m.cosine_similarity(a, b, 0), [(3, 2), (3, 2)]),
    OpCase('pairwise_distance', lambda m, a, b: F(m).pairwise_distance(a, b), [(3, 4), (3, 4)]),
    OpCase('pairwise_distance_p3_keepdim', lambda m, a, b: F(m).pairwise_distance(a, b, p=3.0, keepdim=True),
           [(3, 4), (4,)]),
    OpCase('pdist', lambda m, x: F(m).pdist(x), [(4, 3)]),
    OpCase('pdist_p1', lambda m, x: m.pdist(x, p=1), [(3, 2)]),
]

ERROR_CASES = [
    ErrorCase('pad_odd_length', lambda m: F(m).pad(m.zeros(2, 3), (1, 2, 3))),
    ErrorCase('pad_too_long', lambda m: F(m).pad(m.zeros(2, 3), (1, 1, 1, 1, 1, 1))),
    ErrorCase('pad_reflect_too_wide', lambda m: F(m).pad(m.zeros(1, 2, 3), (3, 0), mode='reflect')),
    ErrorCase('pad_reflect_bad_rank', lambda m: F(m).pad(m.zeros(1, 2, 3, 3), (1, 1), mode='reflect')),
    ErrorCase('pad_circular_wraps_twice', lambda m: F(m).pad(m.zeros(1, 2, 3), (4, 0), mode='circular')),
    ErrorCase('pad_unknown_mode', lambda m: F(m).pad(m.zeros(1, 2, 3), (1, 1), mode='wrap')),
    ErrorCase('pad_negative_size', lambda m: F(m).pad(m.zeros(2, 3), (-2, -2))),
    ErrorCase('interpolate_no_size', lambda m: F(m).interpolate(m.zeros(1, 1, 2, 2))),
    ErrorCase('interpolate_size_and_scale', lambda m: F(m).interpolate(m.zeros(1, 1, 2, 2), size=3, scale_factor=2)),
    ErrorCase('interpolate_align_corners_nearest',
              lambda m: F(m).interpolate(m.zeros(1, 1, 2, 2), size=3, align_corners=True)),
    ErrorCase('interpolate_bilinear_3d_input', lambda m: F(m).interpolate(m.zeros(1, 1, 2), size=3, mode='bilinear')),
    ErrorCase('interpolate_size_length', lambda m: F(m).interpolate(m.zeros(1, 1, 2, 2), size=(3, 3, 3))),
    ErrorCase('interpolate_antialias_nearest',
              lambda m: F(m).interpolate(m.zeros(1, 1, 4, 4), size=2, mode='nearest', antialias=True)),
    ErrorCase('interpolate_antialias_3d_input',
              lambda m: F(m).interpolate(m.zeros(1, 1, 4), size=2, mode='bilinear', antialias=True)),
    ErrorCase('interpolate_antialias_float16', lambda m: F(m).interpolate(
        m.zeros(1, 1, 4, 4, dtype=m.float16), size=2, mode='bilinear', antialias=True)),
    ErrorCase('interpolate_antialias_empty_output',
              lambda m: F(m).interpolate(m.zeros(1, 1, 4, 4), size=(0, 2), mode='bicubic', antialias=True)),
    ErrorCase('interpolate_lanczos_without_antialias', lambda m: F(m).interpolate(m.zeros(1, 1, 4, 4), size=2,
                                                                                  mode='lanczos')),
    ErrorCase('interpolate_lanczos_align_corners', lambda m: F(m).interpolate(
        m.zeros(1, 1, 4, 4), size=2, mode='lanczos', align_corners=True, antialias=True)),
    ErrorCase('interpolate_lanczos_3d_input', lambda m: F(m).interpolate(m.zeros(1, 1, 4), size=2, mode='lanczos')),
    ErrorCase('interpolate_unknown_mode', lambda m: F(m).interpolate(m.zeros(1, 1, 4, 4), size=2, mode='box')),
    ErrorCase('pixel_shuffle_channels', lambda m: F(m).pixel_shuffle(m.zeros(1, 3, 2, 2), 2)),
    ErrorCase('pixel_unshuffle_height', lambda m: F(m).pixel_unshuffle(m.zeros(1, 1, 3, 4), 2)),
    ErrorCase('embedding_index_out_of_range', lambda m: F(m).embedding(m.tensor([0, 5]), m.zeros(5, 2))),
    ErrorCase('embedding_negative_index', lambda m: F(m).embedding(m.tensor([-1]), m.zeros(5, 2))),
    ErrorCase('embedding_float_indices', lambda m: F(m).embedding(m.tensor([1.0]), m.zeros(5, 2))),
    ErrorCase('embedding_bag_1d_without_offsets', lambda m: F(m).embedding_bag(m.tensor([0, 1]), m.zeros(5, 2))),
    ErrorCase('embedding_bag_2d_with_offsets',
              lambda m: F(m).embedding_bag(m.tensor([[0, 1]]), m.zeros(5, 2), m.tensor([0]))),
    ErrorCase('embedding_bag_bad_mode',
              lambda m: F(m).embedding_bag(m.tensor([[0, 1]]), m.zeros(5, 2), mode='median')),
    ErrorCase('embedding_bag_per_sample_mean', lambda m: F(m).embedding_bag(
        m.tensor([[0, 1]]), m.zeros(5, 2), per_sample_weights=m.ones(1, 2))),
    ErrorCase('one_hot_too_small', lambda m: F(m).one_hot(m.tensor([0, 3]), 3)),
    ErrorCase('one_hot_negative', lambda m: F(m).one_hot(m.tensor([-1, 0]))),
    ErrorCase('one_hot_float', lambda m: F(m).one_hot(m.tensor([1.0]))),
    ErrorCase('pdist_3d', lambda m: F(m).pdist(m.zeros(2, 2, 2))),
    ErrorCase('cosine_similarity_shapes', lambda m: F(m).cosine_similarity(m.zeros(2, 3), m.zeros(3, 3))),
]

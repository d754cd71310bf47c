"""Module table rows: Embedding, EmbeddingBag and the distance layers."""
from ._spec import ModuleCase, Int, Arr

MODULE_CASES = [
    ModuleCase('Embedding', lambda nn: nn.Embedding(7, 3), [Int((2, 4), 0, 7)]),
    ModuleCase('Embedding_1d_input', lambda nn: nn.Embedding(5, 2), [Int((6,), 0, 5)]),
    ModuleCase('Embedding_padding_idx', lambda nn: nn.Embedding(6, 3, padding_idx=2), [Arr([[0, 2, 5], [2, 2, 1]])]),
    ModuleCase('Embedding_negative_padding_idx', lambda nn: nn.Embedding(6, 3, padding_idx=-1),
               [Arr([[0, 5, 5], [3, 5, 1]])]),
    ModuleCase('Embedding_scale_grad_by_freq', lambda nn: nn.Embedding(5, 2, scale_grad_by_freq=True),
               [Arr([[0, 1, 1], [1, 4, 0]])]),
    # max_norm renormalises the weight in place, so finite differences see a moving weight
    ModuleCase('Embedding_max_norm', lambda nn: nn.Embedding(6, 4, max_norm=1.0), [Arr([[0, 1, 3], [3, 5, 1]])],
               gradcheck=False),
    ModuleCase('Embedding_max_norm_p1', lambda nn: nn.Embedding(6, 4, max_norm=1.5, norm_type=1.0),
               [Arr([0, 1, 3, 3])], gradcheck=False),
    ModuleCase('Embedding_sparse_flag', lambda nn: nn.Embedding(4, 2, sparse=False), [Int((3,), 0, 4)]),
    ModuleCase('EmbeddingBag_mean_2d', lambda nn: nn.EmbeddingBag(6, 3), [Int((3, 4), 0, 6)]),
    ModuleCase('EmbeddingBag_sum_offsets', lambda nn: nn.EmbeddingBag(6, 3, mode='sum'),
               [Arr([0, 2, 4, 5, 4, 3, 2, 1]), Arr([0, 3, 3, 6])]),
    ModuleCase('EmbeddingBag_max', lambda nn: nn.EmbeddingBag(6, 3, mode='max'),
               [Arr([0, 2, 4, 5, 4, 3, 2, 1]), Arr([0, 2, 5])]),
    ModuleCase('EmbeddingBag_last_offset', lambda nn: nn.EmbeddingBag(5, 2, mode='mean', include_last_offset=True),
               [Arr([0, 2, 4, 1, 3]), Arr([0, 2, 2, 5])]),
    ModuleCase('EmbeddingBag_padding_idx', lambda nn: nn.EmbeddingBag(5, 2, mode='sum', padding_idx=0),
               [Arr([[0, 2, 4], [0, 0, 3]])]),
    ModuleCase('EmbeddingBag_per_sample_weights', lambda nn: nn.EmbeddingBag(5, 2, mode='sum'),
               [Arr([1, 2, 4, 1, 3]), Arr([0, 2]), (5,)]),
    ModuleCase('CosineSimilarity', lambda nn: nn.CosineSimilarity(), [(3, 4), (3, 4)]),
    ModuleCase('CosineSimilarity_dim0_eps', lambda nn: nn.CosineSimilarity(dim=0, eps=1e-3), [(3, 4), (1, 4)]),
    ModuleCase('PairwiseDistance', lambda nn: nn.PairwiseDistance(), [(3, 4), (3, 4)]),
    ModuleCase('PairwiseDistance_p1_keepdim', lambda nn: nn.PairwiseDistance(p=1.0, keepdim=True), [(3, 4), (4,)]),
]

"""Module table rows: recurrent layers (RNN, LSTM, GRU and their cells), padded and packed inputs."""
import importlib

from ._spec import ModuleCase


def _library(tensor):
    """ember or torch, whichever `tensor` belongs to (forward overrides only get the module)."""
    return importlib.import_module(type(tensor).__module__.split('.')[0])


def _packed(lengths, enforce_sorted=False, with_hidden=False):
    """Call the layer on the padded input packed with `lengths`; return the padded output and the
    final state(s), so the table compares (and gradchecks) the packed path end to end."""
    def forward(module, input, *hidden):
        rnn = _library(input).nn.utils.rnn
        packed = rnn.pack_padded_sequence(input, lengths, batch_first=module.batch_first,
                                          enforce_sorted=enforce_sorted)
        if with_hidden:
            output, state = module(packed, hidden if len(hidden) == 2 else hidden[0])
        else:
            output, state = module(packed)
        padded, _ = rnn.pad_packed_sequence(output, batch_first=module.batch_first)
        return padded, state
    return forward


def _lstm_with_state(module, input, h0, c0):
    return module(input, (h0, c0))


MODULE_CASES = [
    # Elman RNN
    ModuleCase('RNN', lambda nn: nn.RNN(3, 4), [(5, 2, 3)]),
    ModuleCase('RNN_relu_2layers_h0', lambda nn: nn.RNN(3, 4, num_layers=2, nonlinearity='relu'), [(4, 2, 3), (2, 2, 4)]),
    ModuleCase('RNN_bidirectional_batch_first', lambda nn: nn.RNN(3, 2, batch_first=True, bidirectional=True),
               [(2, 4, 3)]),
    ModuleCase('RNN_no_bias_unbatched', lambda nn: nn.RNN(3, 4, bias=False), [(5, 3)]),
    # LSTM
    ModuleCase('LSTM', lambda nn: nn.LSTM(3, 4), [(5, 2, 3)]),
    ModuleCase('LSTM_h0_c0', lambda nn: nn.LSTM(3, 4), [(4, 2, 3), (1, 2, 4), (1, 2, 4)], forward=_lstm_with_state),
    ModuleCase('LSTM_2layers_bidirectional_batch_first',
               lambda nn: nn.LSTM(3, 3, num_layers=2, batch_first=True, bidirectional=True), [(2, 4, 3)]),
    ModuleCase('LSTM_proj', lambda nn: nn.LSTM(3, 4, proj_size=2), [(4, 2, 3)]),
    ModuleCase('LSTM_proj_2layers_bidirectional_h0_c0',
               lambda nn: nn.LSTM(3, 4, num_layers=2, proj_size=2, bidirectional=True),
               [(3, 2, 3), (4, 2, 2), (4, 2, 4)], forward=_lstm_with_state),
    ModuleCase('LSTM_no_bias_unbatched', lambda nn: nn.LSTM(3, 4, bias=False), [(5, 3)]),
    ModuleCase('LSTM_dropout_train', lambda nn: nn.LSTM(3, 4, num_layers=3, dropout=0.5), [(4, 2, 3)], seed=3),
    ModuleCase('LSTM_dropout_eval', lambda nn: nn.LSTM(3, 4, num_layers=2, dropout=0.5), [(4, 2, 3)], train=False),
    ModuleCase('LSTM_big', lambda nn: nn.LSTM(16, 32, num_layers=2, batch_first=True), [(8, 12, 16)],
               gradcheck=False),
    # GRU
    ModuleCase('GRU', lambda nn: nn.GRU(3, 4), [(5, 2, 3)]),
    ModuleCase('GRU_2layers_bidirectional_h0', lambda nn: nn.GRU(3, 3, num_layers=2, bidirectional=True),
               [(4, 2, 3), (4, 2, 3)]),
    ModuleCase('GRU_no_bias_batch_first_unbatched', lambda nn: nn.GRU(3, 4, bias=False, batch_first=True), [(5, 3)]),
    ModuleCase('GRU_dropout_train', lambda nn: nn.GRU(3, 4, num_layers=2, dropout=0.3, bidirectional=True),
               [(4, 2, 3)], seed=1),
    # packed sequences through the layers (padded output and final states compared)
    ModuleCase('LSTM_packed_unsorted', lambda nn: nn.LSTM(3, 4), [(5, 3, 3)], forward=_packed([3, 5, 2])),
    ModuleCase('LSTM_packed_bidirectional_h0_c0', lambda nn: nn.LSTM(3, 4, num_layers=2, bidirectional=True),
               [(5, 3, 3), (4, 3, 4), (4, 3, 4)], forward=_packed([4, 5, 1], with_hidden=True)),
    ModuleCase('GRU_packed_batch_first_sorted', lambda nn: nn.GRU(3, 4, batch_first=True, bidirectional=True),
               [(3, 5, 3)], forward=_packed([5, 3, 3], enforce_sorted=True)),
    ModuleCase('RNN_packed_h0', lambda nn: nn.RNN(3, 4, nonlinearity='relu'), [(4, 3, 3), (1, 3, 4)],
               forward=_packed([2, 4, 3], with_hidden=True)),
    # cells
    ModuleCase('RNNCell', lambda nn: nn.RNNCell(3, 4), [(2, 3), (2, 4)]),
    ModuleCase('RNNCell_relu_no_bias_no_h', lambda nn: nn.RNNCell(3, 4, bias=False, nonlinearity='relu'), [(2, 3)]),
    ModuleCase('RNNCell_unbatched', lambda nn: nn.RNNCell(3, 4), [(3,), (4,)]),
    ModuleCase('LSTMCell', lambda nn: nn.LSTMCell(3, 4), [(2, 3), (2, 4), (2, 4)],
               forward=lambda m, x, h, c: m(x, (h, c))),
    ModuleCase('LSTMCell_no_h_unbatched', lambda nn: nn.LSTMCell(3, 4), [(3,)]),
    ModuleCase('GRUCell', lambda nn: nn.GRUCell(3, 4), [(2, 3), (2, 4)]),
    ModuleCase('GRUCell_no_bias_no_h', lambda nn: nn.GRUCell(3, 4, bias=False), [(2, 3)]),
]

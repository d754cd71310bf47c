"""A character-level language model: Embedding -> 2-layer LSTM -> Linear, trained on Shakespeare.

It teaches the recurrent-network training loop:
- the text becomes `batch_size` parallel streams of character ids; each step reads the next
  `seq_len` characters of every stream and predicts each following character (cross entropy);
- truncated backpropagation through time: the LSTM's (h, c) state is carried from one window to
  the next but `detach()`ed, so gradients flow back at most `seq_len` characters;
- Adam, with `nn.utils.clip_grad_norm_` taming the occasional exploding LSTM gradient;
- sampling: feed a prompt, then repeatedly draw the next character from softmax(logits / temperature)
  (low temperature: safe, repetitive text; high: adventurous, misspelt text).

The text is `examples/data/tinyshakespeare.txt` (public domain, ~100 KB; see `examples/data/README.md`).
Prints the training loss every `--print-every` steps and the validation loss (on the last 10% of
the text) at the end, then a sample. Writes `<out>/char_lm.pth`: the model's and optimizer's
state_dicts, the vocabulary and the hyper-parameters; `--resume` continues from such a file.

    python examples/char_lm.py                                     # 500 steps, a few minutes
    python examples/char_lm.py --steps 5 --hidden-size 32 --seq-len 16 --sample-length 50   # smoke run
"""
import argparse
import os

import numpy as np

import ember as torch
import ember.nn as nn
import ember.nn.functional as F

DEFAULT_TEXT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'data', 'tinyshakespeare.txt')


class CharLM(nn.Module):
    """Character ids (N, L) -> next-character logits (N, L, vocab_size), threading the LSTM state."""

    def __init__(self, vocab_size, embedding_dim=64, hidden_size=128, num_layers=2, dropout=0.2):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.lstm = nn.LSTM(embedding_dim, hidden_size, num_layers, batch_first=True, dropout=dropout)
        self.fc = nn.Linear(hidden_size, vocab_size)

    def forward(self, x, hidden=None):
        output, hidden = self.lstm(self.embedding(x), hidden)
        return self.fc(output), hidden


def batchify(ids, batch_size):
    """Cut the id sequence into `batch_size` equal contiguous streams: (batch_size, length)."""
    length = len(ids) // batch_size
    return torch.from_numpy(ids[:batch_size * length].reshape(batch_size, length))


def windows(streams, seq_len):
    """(inputs, targets) windows walking along the streams; targets are the inputs shifted by one."""
    for start in range(0, streams.shape[1] - seq_len, seq_len):
        yield streams[:, start:start + seq_len], streams[:, start + 1:start + seq_len + 1]


def evaluate(model, streams, seq_len):
    """Mean cross entropy per character over all windows of `streams`."""
    model.eval()
    total, count, hidden = 0., 0, None
    with torch.no_grad():
        for inputs, targets in windows(streams, seq_len):
            logits, hidden = model(inputs, hidden)
            total += F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1)).item()
            count += 1
    model.train()
    return total / max(count, 1)


def sample(model, vocab, prompt, length, temperature=0.8):
    """`prompt` followed by `length` characters drawn one at a time from the model."""
    char_to_id = {char: i for i, char in enumerate(vocab)}
    prompt = ''.join(char for char in prompt if char in char_to_id) or vocab[0]
    model.eval()
    generated = []
    with torch.no_grad():
        # the whole prompt in one call primes the LSTM state; then one character per call
        logits, hidden = model(torch.tensor([[char_to_id[char] for char in prompt]]))
        for _ in range(length):
            probabilities = F.softmax(logits[0, -1] / temperature, dim=-1)
            next_id = torch.multinomial(probabilities, 1)
            generated.append(vocab[next_id.item()])
            logits, hidden = model(next_id.reshape(1, 1), hidden)
    model.train()
    return prompt + ''.join(generated)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', default=os.path.join('runs', 'char_lm'))
    parser.add_argument('--data', default=DEFAULT_TEXT, help='a UTF-8 text file to learn')
    parser.add_argument('--steps', type=int, default=500)
    parser.add_argument('--batch-size', type=int, default=32)
    parser.add_argument('--seq-len', type=int, default=64, help='characters per truncated-BPTT window')
    parser.add_argument('--embedding-dim', type=int, default=64)
    parser.add_argument('--hidden-size', type=int, default=128)
    parser.add_argument('--lr', type=float, default=2e-3)
    parser.add_argument('--clip', type=float, default=5.0, help='max gradient norm')
    parser.add_argument('--print-every', type=int, default=50)
    parser.add_argument('--prompt', default='ROMEO:\n')
    parser.add_argument('--sample-length', type=int, default=400)
    parser.add_argument('--temperature', type=float, default=0.8)
    parser.add_argument('--resume', default=None, help='a char_lm.pth to continue training from')
    parser.add_argument('--seed', type=int, default=1)
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(args.seed)

    with open(args.data, encoding='utf-8') as f:
        text = f.read()
    checkpoint = torch.load(args.resume) if args.resume else None
    vocab = checkpoint['vocab'] if checkpoint else ''.join(sorted(set(text)))
    lookup = np.full(max(map(ord, text + vocab)) + 1, -1, dtype=np.int64)   # code point -> id, in one gather
    lookup[[ord(char) for char in vocab]] = np.arange(len(vocab))
    ids = lookup[np.frombuffer(text.encode('utf-32-le'), dtype=np.uint32)]
    if (ids < 0).any():
        raise ValueError(f"{args.data} has characters outside the checkpoint's vocabulary")
    split = int(len(ids) * 0.9)
    train_streams = batchify(ids[:split], args.batch_size)
    valid_streams = batchify(ids[split:], args.batch_size)
    if valid_streams.shape[1] <= args.seq_len:
        raise ValueError(f"{args.data} is too short: each of the {args.batch_size} validation streams needs more "
                         f"than --seq-len {args.seq_len} characters; use a longer text or smaller --batch-size/--seq-len")
    print("text: {} characters, vocabulary of {}; {} streams of {} training characters".format(
        len(text), len(vocab), args.batch_size, train_streams.shape[1]))

    hyper = checkpoint['hyper_parameters'] if checkpoint else {
        'vocab_size': len(vocab), 'embedding_dim': args.embedding_dim, 'hidden_size': args.hidden_size}
    model = CharLM(**hyper)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    first_step = 0
    if checkpoint:
        model.load_state_dict(checkpoint['model_state_dict'])
        optimizer.load_state_dict(checkpoint['optimizer_state_dict'])
        first_step = checkpoint['step']
        print("resumed from {} at step {}".format(args.resume, first_step))

    step, hidden, running_loss = first_step, None, 0.
    while step < first_step + args.steps:
        hidden = None                      # each pass over the text starts from a zero state
        for inputs, targets in windows(train_streams, args.seq_len):
            if hidden is not None:
                # truncated BPTT: keep the state's values, cut the graph behind them
                hidden = tuple(state.detach() for state in hidden)
            logits, hidden = model(inputs, hidden)
            loss = F.cross_entropy(logits.reshape(-1, len(vocab)), targets.reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), args.clip)
            optimizer.step()

            step += 1
            running_loss += loss.item()
            if step % args.print_every == 0 or step == first_step + args.steps:
                steps_run = (step - first_step - 1) % args.print_every + 1
                print("step {:>5} | loss {:.4f}".format(step, running_loss / steps_run))
                running_loss = 0.
            if step == first_step + args.steps:
                break

    print("validation loss {:.4f} (uniform guessing: {:.4f})".format(
        evaluate(model, valid_streams, args.seq_len), np.log(len(vocab))))
    path = os.path.join(args.out, 'char_lm.pth')
    torch.save({'model_state_dict': model.state_dict(), 'optimizer_state_dict': optimizer.state_dict(),
                'vocab': vocab, 'hyper_parameters': hyper, 'step': step}, path)
    print("saved", path)
    print("---- sample (temperature {}) ----".format(args.temperature))
    print(sample(model, vocab, args.prompt, args.sample_length, args.temperature))


if __name__ == "__main__":
    main()

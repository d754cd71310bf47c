"""The course's first training loop: fit y = 2x + 5 (plus noise) with autograd and a manual update.

Run it with ember:            python examples/linear_regression.py
or unchanged on PyTorch:      python examples/linear_regression.py --torch
"""
import sys

if '--torch' in sys.argv:
    import torch
else:
    import ember as torch

torch.manual_seed(10)
lr = 0.05
x = torch.rand(20, 1) * 10
y = 2 * x + (5 + torch.randn(20, 1))
w = torch.randn((1), requires_grad=True)
b = torch.zeros((1), requires_grad=True)

for iteration in range(1000):
    y_pred = torch.add(torch.mul(w, x), b)
    loss = (0.5 * (y - y_pred) ** 2).mean()
    loss.backward()
    b.data.sub_(lr * b.grad)
    w.data.sub_(lr * w.grad)
    w.grad.zero_()
    b.grad.zero_()
    if iteration % 100 == 0:
        print(f"iteration {iteration:4d}  loss {loss.item():.4f}  w {w.item():.4f}  b {b.item():.4f}")
    if loss.item() < 0.4:
        break
print(f"done after {iteration + 1} iterations: y = {w.item():.3f} x + {b.item():.3f}  (loss {loss.item():.4f})")

// R's set.seed / unif_rand / R_unif_index / sample.int against R 4.2.2 on this machine. Every expected value
// below was printed by the Rscript command in the comment above it (never computed with our code).
// Helper used in the commands: p <- function(label, x) cat(label, ":", format(x, digits=17, scientific=FALSE), "\n")
import { describe, expect, it } from "vitest";
import { RRandom } from "../src/core/rng.js";
import { cibersortCases, readGolden } from "./helpers/reference.js";

const nums = (s: string) => s.trim().split(/\s+/).map(Number);
const draws = (rng: RRandom, k: number) => Array.from({ length: k }, () => rng.unifRand());

describe("set.seed + unif_rand", () => {
  it("set.seed(42); runif(5)", () => {
    // Rscript -e 'set.seed(42); print(runif(5), digits=17)'
    expect(draws(new RRandom(42), 5)).toEqual([
      0.91480604349635541, 0.93707541329786181, 0.28613953478634357, 0.83044762606732547, 0.64174551889300346,
    ]);
  });

  it("seed 0, negative seeds and the int32 extremes", () => {
    // Rscript -e 'set.seed(0); print(runif(3), digits=17)'
    expect(draws(new RRandom(0), 3)).toEqual([0.8966972001362592, 0.26550866314209998, 0.37212389963679016]);
    // Rscript -e 'set.seed(-5); print(runif(3), digits=17)'
    expect(draws(new RRandom(-5), 3)).toEqual([0.73459476791322231, 0.33969277143478394, 0.1910452856682241]);
    // Rscript -e 'set.seed(-2147483647); print(runif(2), digits=17)'
    expect(draws(new RRandom(-2147483647), 2)).toEqual([0.56201667874120176, 0.57561779324896634]);
    // Rscript -e 'set.seed(2147483647); print(runif(2), digits=17)'
    expect(draws(new RRandom(2147483647), 2)).toEqual([0.68966742674820125, 0.98787517822347581]);
  });

  it("rejects seeds R's set.seed rejects", () => {
    expect(() => new RRandom(2 ** 31)).toThrow(RangeError);
    expect(() => new RRandom(1.5)).toThrow(RangeError);
  });

  it("getState equals .Random.seed[-1] (as uint32) after set.seed, 1 and 700 draws", () => {
    const u = (v: number) => v >>> 0;
    // Rscript -e 'set.seed(42); print(.Random.seed[c(2:6, 626)])'  ->  624 507561766 1260545903 1362917092 -1772566379 705745481
    const rng = new RRandom(42);
    let st = rng.getState();
    expect(st.length).toBe(625);
    expect([...st.slice(0, 5), st[624]]).toEqual([624, 507561766, 1260545903, 1362917092, -1772566379, 705745481].map(u));
    // Rscript -e 'set.seed(42); invisible(runif(1)); print(.Random.seed[2:4])'  ->  1 -1577024373 1699409082
    rng.unifRand();
    st = rng.getState();
    expect([...st.slice(0, 3)]).toEqual([1, -1577024373, 1699409082].map(u));
    // Rscript -e 'set.seed(42); invisible(runif(700)); print(.Random.seed[c(2:4, 626)])'  ->  76 574646033 1094238782 1858507720
    draws(rng, 699);
    st = rng.getState();
    expect([...st.slice(0, 3), st[624]]).toEqual([76, 574646033, 1094238782, 1858507720].map(u));
  });

  it("setState(getState()) resumes the same stream; position <= 0 means 624 as in R", () => {
    const a = new RRandom(9);
    draws(a, 100);
    const b = new RRandom(1);
    b.setState(a.getState());
    expect(draws(b, 1000)).toEqual(draws(a, 1000));
    const c = new RRandom(9);
    const st = c.getState();
    st[0] = 0;
    c.setState(st);
    expect(draws(c, 3)).toEqual(draws(new RRandom(9), 3));
    expect(() => c.setState(new Uint32Array(624))).toThrow(RangeError);
  });
});

describe("R_unif_index", () => {
  it("dn = 1 consumes one uniform (rbits(0) still draws a chunk)", () => {
    // Rscript -e 'set.seed(1); invisible(sample(1,1)); print(runif(1), digits=17)'  ->  0.37212389963679016
    // (= the 2nd value of: Rscript -e 'set.seed(1); print(runif(2), digits=17)')
    const rng = new RRandom(1);
    expect(rng.sample(1, 1)[0]).toBe(1);
    expect(rng.unifRand()).toBe(0.37212389963679016);
  });

  it("dn <= 0 gives 0 without drawing; dn > 2^48 is unsupported", () => {
    const rng = new RRandom(1);
    expect(rng.unifIndex(0)).toBe(0);
    // Rscript -e 'set.seed(1); print(runif(1), digits=17)'  ->  0.26550866314209998
    expect(rng.unifRand()).toBe(0.26550866314209998);
    expect(() => rng.unifIndex(2 ** 48 + 1)).toThrow(RangeError);
  });
});

describe("sample.int without replacement", () => {
  it("set.seed(42); sample(10, 5)", () => {
    // Rscript -e 'set.seed(42); print(sample(10,5))'
    expect([...new RRandom(42).sample(10, 5)]).toEqual([1, 5, 10, 8, 2]);
  });

  it("set.seed(1); sample(100000, 6)", () => {
    // Rscript -e 'set.seed(1); print(sample(100000,6))'
    expect([...new RRandom(1).sample(100000, 6)]).toEqual([24388, 59521, 43307, 69586, 11571, 25173]);
  });

  it("k = 1 (drawn directly, no array), also on the hash path", () => {
    // Rscript -e 'set.seed(3); print(c(sample(1000,1), sample(1000,1), sample(2e7,1)))'
    const rng = new RRandom(3);
    expect([rng.sample(1000, 1)[0], rng.sample(1000, 1)[0], rng.sample(2e7, 1)[0]]).toEqual([773, 698, 9130983]);
  });

  it("bits boundaries: n = 2^15, 2^15+1, 2^16, 2^16+1", () => {
    // Rscript -e 'set.seed(11); print(sample(32768, 8))'
    expect([...new RRandom(11).sample(32768, 8)]).toEqual([18170, 34, 696, 921, 4240, 29809, 5669, 19004]);
    // Rscript -e 'set.seed(11); print(sample(32769, 8))'
    expect([...new RRandom(11).sample(32769, 8)]).toEqual([34, 696, 921, 4240, 29809, 5669, 19004, 24950]);
    // Rscript -e 'set.seed(11); print(sample(65536, 8))'
    expect([...new RRandom(11).sample(65536, 8)]).toEqual([34, 921, 62577, 19004, 8076, 28886, 55774, 37598]);
    // Rscript -e 'set.seed(11); print(sample(65537, 8))'
    expect([...new RRandom(11).sample(65537, 8)]).toEqual([19004, 8076, 28886, 55774, 37598, 21667, 31467, 44589]);
  });

  it("negative seed and seed 0 (k = n: a full permutation)", () => {
    // Rscript -e 'set.seed(-5); print(sample(50,10))'
    expect([...new RRandom(-5).sample(50, 10)]).toEqual([15, 41, 9, 12, 44, 46, 4, 24, 38, 13]);
    // Rscript -e 'set.seed(0); print(sample(20,20))'
    expect([...new RRandom(0).sample(20, 20)]).toEqual([14, 4, 7, 1, 2, 13, 18, 11, 16, 15, 3, 17, 5, 8, 12, 6, 10, 9, 19, 20]);
  });

  it("consecutive sample() calls after one set.seed (scratch reused across sizes), then runif", () => {
    // Rscript -e 'set.seed(123); print(sample(10,3)); print(sample(100,4)); print(sample(5,1)); print(sample(1e6,3));
    //   print(sample(1000,12)); print(sample(30,30)); print(sample(1000,5)); print(runif(1), digits=17)'
    const rng = new RRandom(123);
    expect([...rng.sample(10, 3)]).toEqual([3, 10, 2]);
    expect([...rng.sample(100, 4)]).toEqual([50, 43, 14, 25]);
    expect([...rng.sample(5, 1)]).toEqual([2]);
    expect([...rng.sample(1e6, 3)]).toEqual([671488, 283635, 713657]);
    expect([...rng.sample(1000, 12)]).toEqual([348, 649, 989, 355, 840, 26, 519, 426, 999, 766, 211, 932]);
    expect([...rng.sampleInto(30, 30, new Int32Array(30))]).toEqual([
      14, 17, 11, 7, 21, 12, 15, 10, 13, 27, 9, 20, 23, 26, 5, 28, 6, 19, 2, 16, 8, 25, 1, 18, 3, 29, 22, 24, 30, 4,
    ]);
    expect([...rng.sample(1000, 5)]).toEqual([431, 90, 316, 223, 528]);
    expect(rng.unifRand()).toBe(0.11113542434759438);
  });

  it("3 consecutive sample(1000, 547) in full (Float64Array and Int32Array outputs)", () => {
    // Rscript -e 'set.seed(2024); for (i in 1:3) cat(sample(1000, 547), "\n")'
    const expected = [
      "578 549 557 700 255 913 621 416 105 634 738 29 11 784 925 62 252 398 930 26 172 562 410 32 725 385 203 35 361 " +
        "238 593 284 304 216 596 476 852 427 442 884 276 951 87 505 997 618 892 900 647 948 441 336 212 835 281 290 " +
        "217 825 817 310 858 643 153 705 6 788 393 719 717 464 963 354 186 305 627 108 261 720 902 131 938 459 723 414 " +
        "329 189 259 541 954 747 960 445 334 528 548 209 585 935 752 118 891 402 875 674 147 652 834 873 987 173 702 " +
        "454 68 543 795 113 463 827 932 736 483 635 943 504 888 94 446 765 982 270 715 457 661 706 266 896 346 34 625 " +
        "187 1000 411 976 901 737 770 611 109 999 826 805 469 897 369 119 568 789 676 576 766 80 31 425 278 868 899 " +
        "642 269 586 321 51 249 856 818 185 641 808 247 776 16 955 133 679 513 387 206 24 600 649 348 846 995 60 388 " +
        "666 980 292 275 664 675 477 927 871 421 25 712 154 520 861 316 589 326 65 350 314 553 778 103 159 920 673 265 " +
        "754 115 59 564 508 225 830 709 224 638 409 175 521 946 461 95 244 204 364 669 792 619 467 245 917 991 139 640 " +
        "929 768 144 613 468 135 362 122 535 531 798 620 90 176 975 478 178 489 179 610 104 487 263 599 831 242 887 " +
        "366 71 384 340 591 291 220 594 527 228 970 500 219 419 730 726 854 672 306 268 449 761 77 150 615 222 289 860 " +
        "435 437 962 933 996 202 78 655 70 785 947 658 93 941 998 481 685 495 880 967 96 235 412 968 491 315 277 240 " +
        "58 308 569 213 237 196 735 84 479 694 499 574 550 584 756 341 125 200 691 355 839 554 501 42 894 563 952 471 " +
        "684 432 359 128 763 631 54 916 551 254 949 786 182 28 874 49 188 984 232 210 807 799 405 50 974 510 161 841 " +
        "30 815 886 624 130 708 524 745 390 710 327 389 760 829 403 466 429 299 170 408 668 297 395 363 287 86 677 865 " +
        "570 253 136 703 956 804 248 571 332 124 796 191 66 688 488 958 211 511 582 813 285 264 626 522 651 3 680 881 " +
        "803 988 904 678 729 117 19 689 298 580 507 101 914 250 465 7 877 957 37 451 309 184 323 836 39 490 503 692 " +
        "134 722 8 15 971 99 663 426 138 417 573 221 201 246 629 622 73 157 538 43 882 516 79 227 903 462 812 950 231 " +
        "75 140 711 989 749 698 1 607 923 819 994 283 205 842 274 849 351 145 386 783 226 360 373 575 52 48 707 683 " +
        "840 714 879 324 660 151 837 937 727 375 605 18 482 33 695 169 98",
      "703 362 596 992 211 252 759 277 662 414 25 485 852 778 422 209 664 258 814 709 177 723 682 605 518 368 659 " +
        "805 752 429 672 834 205 691 432 810 269 271 739 754 412 359 849 539 646 61 729 95 375 147 379 36 116 895 88 " +
        "138 6 419 127 735 658 373 669 241 361 22 559 329 231 129 840 408 21 38 186 602 267 33 229 565 338 871 92 758 " +
        "628 265 831 55 135 833 264 162 142 301 654 243 489 194 823 948 688 446 768 276 321 42 413 942 298 806 410 311 " +
        "956 697 389 892 327 846 555 328 874 866 255 341 934 334 976 817 734 580 678 959 310 201 75 757 148 681 11 224 " +
        "221 865 567 2 597 724 47 549 60 124 235 200 807 387 315 94 5 548 562 770 769 829 256 924 685 570 608 838 152 " +
        "253 671 15 981 588 958 204 98 595 396 733 906 591 499 764 794 876 247 957 633 736 9 84 524 307 554 705 913 " +
        "704 459 850 791 767 675 693 578 710 43 552 495 610 908 726 405 121 475 540 670 879 496 611 639 436 640 288 " +
        "887 538 644 381 702 109 899 481 398 574 434 893 415 188 920 46 176 537 81 863 32 836 4 855 193 395 923 584 " +
        "326 792 145 14 70 448 680 980 86 449 367 388 996 760 606 832 800 58 1 175 960 985 131 431 345 197 919 566 374 " +
        "48 809 890 653 911 117 333 790 843 168 886 56 722 279 589 3 844 867 233 324 918 96 402 571 523 76 564 977 406 " +
        "97 404 816 601 517 940 910 425 508 403 394 912 41 335 525 393 882 390 553 870 180 337 452 657 515 995 181 491 " +
        "103 295 30 27 620 897 986 516 781 933 641 868 626 835 629 660 54 90 795 590 444 635 560 974 278 851 322 438 " +
        "541 354 323 439 490 819 617 746 157 336 762 146 648 528 469 99 461 751 391 511 915 973 283 28 497 57 479 199 " +
        "946 798 144 619 450 377 29 848 484 280 527 198 513 190 192 126 728 585 435 236 325 397 875 13 854 780 458 139 " +
        "989 930 89 261 165 232 133 268 690 616 935 749 120 971 420 857 114 244 351 748 245 983 656 901 501 185 169 " +
        "982 799 720 111 998 137 649 532 466 944 929 284 587 216 563 812 460 542 19 69 647 631 627 238 761 1000 464 " +
        "561 370 880 312 487 975 941 801 380 614 66 493 716 305 550 68 634 914 821 586 206 149 824 215 784 462 820 713 " +
        "257 907 182 382 293 299 85 773 365 753 953 262 583 884 364 155 474 625 122 383 20 286 582 883 339 303 928 424 " +
        "888 613 624 343 721 306 507 195 93 842 281 234 847 775 443",
      "672 42 88 758 95 881 578 186 478 974 827 294 500 31 216 397 284 677 196 226 403 63 21 205 512 56 116 333 428 " +
        "163 431 937 260 856 110 481 188 692 794 987 688 314 983 932 263 962 360 117 697 173 438 225 662 343 302 843 " +
        "940 472 991 916 845 203 474 36 851 130 497 889 655 961 792 852 709 711 751 742 339 460 997 108 935 942 151 8 " +
        "311 401 234 904 771 603 635 503 519 981 212 576 211 308 346 269 590 291 649 254 406 372 375 295 872 377 592 " +
        "380 547 345 326 86 694 563 341 594 177 858 746 642 430 437 900 601 494 699 734 411 306 530 398 582 10 272 434 " +
        "549 75 986 258 722 162 946 510 785 659 274 883 72 136 828 767 732 425 102 278 539 719 170 998 139 706 309 325 " +
        "619 560 923 643 980 838 131 275 616 879 833 948 435 74 267 454 718 893 550 795 615 644 6 159 410 623 48 631 " +
        "682 737 65 221 861 107 143 281 765 656 59 658 365 413 34 793 168 399 707 386 270 857 693 736 104 806 350 248 " +
        "761 187 232 94 455 784 825 725 313 429 760 841 813 650 523 915 109 352 604 753 899 148 641 886 210 610 566 " +
        "191 305 402 495 15 405 636 906 944 648 848 381 194 715 373 3 554 824 969 19 972 30 220 540 583 421 869 836 33 " +
        "416 807 370 240 414 820 977 461 206 106 404 340 471 153 76 887 640 950 174 468 491 558 312 663 67 498 11 989 " +
        "368 898 630 667 518 589 555 322 99 670 58 420 209 728 996 456 666 181 223 504 337 979 929 315 26 930 69 586 " +
        "514 708 626 647 383 43 52 735 70 866 829 488 154 985 790 160 818 830 907 860 155 38 712 533 931 689 297 219 " +
        "330 740 850 912 483 984 276 486 800 451 581 127 660 501 111 627 756 141 92 125 687 875 936 607 256 624 982 " +
        "476 665 878 675 919 193 190 396 814 228 239 427 990 207 584 832 334 132 361 681 28 943 140 787 683 955 247 " +
        "901 633 628 965 62 880 695 5 752 249 300 542 50 506 161 477 53 544 691 336 115 826 568 440 197 526 564 180 " +
        "580 834 911 261 600 138 812 743 262 286 772 534 446 562 723 384 609 763 698 457 591 442 902 93 679 717 167 " +
        "964 292 939 450 449 366 822 788 90 537 966 646 671 277 204 426 958 971 432 7 951 690 328 231 229 222 551 347 " +
        "357 831 465 1000 894 9 419 714 83 303 35 40 198 271 686 364 546 945 618 585 241 605 133 570 884 720 245 409 " +
        "224 577 952 733 122 290 625 287 250 738 759 796 356 696 296 182 323 264 535",
    ].map(nums);
    const rng = new RRandom(2024);
    expect([...rng.sample(1000, 547)]).toEqual(expected[0]);
    const out = new Int32Array(547);
    expect([...rng.sampleInto(1000, 547, out)]).toEqual(expected[1]);
    expect([...rng.sampleInto(1000, 547, out)]).toEqual(expected[2]);
  });

  it("hash path (n > 1e7, k <= n/2): set.seed(7); sample(2e7, 5)", () => {
    // Rscript -e 'set.seed(7); print(sample(2e7,5))'
    expect([...new RRandom(7).sample(2e7, 5)]).toEqual([19490259, 6736578, 17758426, 7697800, 1381807]);
  });

  it("hash path redraws duplicates (23 redraws here)", () => {
    // In R, set.seed(99); x <- sample(10000001, 20000) is identical to the first 20000 distinct values of
    // set.seed(99); raw <- replicate(20200, sample.int(10000001, 1)), reached after 23 duplicates (first at
    // draw 3340, value 5035714). Values from:
    // Rscript -e 'set.seed(99); x <- sample(10000001, 20000); print(head(x,5)); print(tail(x,5));
    //   print(sum(as.numeric(x)*seq_along(x)), digits=17)'
    const x = new RRandom(99).sample(10000001, 20000);
    expect([...x.subarray(0, 5)]).toEqual([2883094, 8356198, 1287140, 536274, 5706910]);
    expect([...x.subarray(19995)]).toEqual([7713921, 7394992, 6900434, 5075037, 4358697]);
    let s = 0;
    for (let i = 0; i < x.length; i++) s += x[i] * (i + 1);
    expect(s).toBe(1003170488096102);
    expect(new Set(x).size).toBe(20000);
  });

  it("hash path with 32-, 40- and 48-bit draws", () => {
    // Rscript -e 'set.seed(2); print(sample(2^31+5, 3))'
    expect([...new RRandom(2).sample(2 ** 31 + 5, 3)]).toEqual([776628161, 322021747, 2099258934]);
    // Rscript -e 'set.seed(2); print(sample(2^40, 3), digits=17)'
    expect([...new RRandom(2).sample(2 ** 40, 3)]).toEqual([363793912518, 25528627592, 72299083729]);
    // Rscript -e 'set.seed(2); print(sample(2^48, 3), digits=17)'
    expect([...new RRandom(2).sample(2 ** 48, 3)]).toEqual([197699807030022, 265562677630301, 154805879979305]);
  });

  it("rejects k > n and outputs that are too short", () => {
    const rng = new RRandom(1);
    expect(() => rng.sample(5, 6)).toThrow(RangeError);
    expect(() => rng.sampleInto(10, 5, new Float64Array(4))).toThrow(RangeError);
    expect(rng.sample(0, 0).length).toBe(0);
  });
});

// Reference CIBERSORT runs: the first permutation draw is sample(G*S, G) right after set.seed(seed).
const permCases = cibersortCases().filter((c) => c.perm > 0);

describe("first permutation draw of the reference runs (perm1_draw.tsv)", () => {
  it("finds the 4 perm100 reference folders", () => {
    expect(permCases.map((c) => c.perm)).toEqual([100, 100, 100, 100]);
  });
  for (const c of permCases) {
    it(c.name, () => {
      const read = (f: string) =>
        readGolden(c.dir + f)
          .split("\n")
          .filter((l) => l.trim() !== "");
      const G = read("genes.tsv").length - 1;
      const S = read("result.tsv").length - 1;
      const seed = c.seed!; // MANIFEST: the seed given to set.seed
      const [head, ...rows] = read("perm1_draw.tsv").map((l) => l.split("\t"));
      const col = head.indexOf("flat_index");
      expect(col).toBeGreaterThanOrEqual(0);
      expect(rows.length).toBe(G);
      expect([...new RRandom(seed).sample(G * S, G)]).toEqual(rows.map((r) => Number(r[col])));
    });
  }
});
